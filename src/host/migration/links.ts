import {invariantBroken} from '../../core/assert.js';
import type {WorldConfig} from '../config/world-schema.js';

/** Network links between hosts: bandwidth per pair, and whether a fault took one down. */
export class Links {
  readonly #bandwidth = new Map<string, number>();
  /** Pairs a fault took down, by link key. */
  readonly #down = new Map<string, readonly [string, string]>();
  readonly defaultBandwidthBytesPerSecond: number;

  constructor(config: WorldConfig['links']) {
    this.defaultBandwidthBytesPerSecond = config.defaultBandwidth;
    for (const link of config.pairs)
      this.#bandwidth.set(linkKey(link.hosts[0], link.hosts[1]), link.bandwidth);
  }

  bandwidthBytesPerSecond(a: string, b: string): number {
    return this.#bandwidth.get(linkKey(a, b)) ?? this.defaultBandwidthBytesPerSecond;
  }

  isDown(a: string, b: string): boolean {
    return this.#down.has(linkKey(a, b));
  }

  setDown(a: string, b: string, isDown: boolean): void {
    if (a === b) invariantBroken(`links: a link joins two hosts, not ${a} to itself`);
    if (isDown) this.#down.set(linkKey(a, b), [a, b]);
    else this.#down.delete(linkKey(a, b));
  }

  /**
   * Takes down again the links `previous` had down between hosts that are still in `hosts`: a
   * config reload changes what links carry, not what a fault broke; a removed host's links go.
   */
  keepFaultsOf(previous: Links, hosts: ReadonlySet<string>): void {
    for (const [a, b] of previous.#down.values()) if (hosts.has(a) && hosts.has(b)) this.setDown(a, b, true);
  }
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
