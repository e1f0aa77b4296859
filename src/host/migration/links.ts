import {invariantBroken} from '../../core/assert.js';
import type {WorldConfig} from '../config/world-schema.js';

/** Network links between hosts: bandwidth per pair, and whether a fault took one down. */
export class Links {
  readonly #bandwidth = new Map<string, number>();
  readonly #down = new Set<string>();
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
    if (isDown) this.#down.add(linkKey(a, b));
    else this.#down.delete(linkKey(a, b));
  }
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
