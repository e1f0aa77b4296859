import type {KeyObject} from 'node:crypto';
import {invariantBroken} from '../core/assert.js';
import type {HostConfig, WorldConfig} from './config/world-schema.js';
import type {Guest} from './guest.js';
import {Host} from './host.js';
import {Links} from './migration/links.js';
import {publicKeyFromBase64} from './ticket.js';

/** The machines: hosts by name, the links between them, the owner keys ultravisors trust. */
export class Cluster {
  readonly hosts = new Map<string, Host>();
  #links: Links;
  #keys: Map<string, KeyObject>;

  constructor(config: WorldConfig) {
    this.#keys = buildKeys(config);
    this.#links = new Links(config.links);
    for (const hostConfig of config.hosts) this.addHost(hostConfig);
  }

  get links(): Links {
    return this.#links;
  }

  addHost(config: HostConfig): Host {
    if (this.hosts.has(config.name)) invariantBroken(`cluster: host ${config.name} added twice`);
    const host = new Host(config, this.#keys);
    this.hosts.set(config.name, host);
    return host;
  }

  /** Removes a host no guest runs on any more (a live config dropped it). */
  removeHost(name: string, guests: Iterable<Guest>): void {
    const host = this.hosts.get(name);
    if (!host) invariantBroken(`cluster: no host ${name} to remove`);
    for (const guest of guests)
      if (guest.host === host)
        invariantBroken(`cluster: host ${name} removed while ${guest.name} runs there`);
    this.hosts.delete(name);
  }

  /**
   * A live config's links and keys (keys reach hosts built from now on; running ultravisors keep
   * theirs). Links a fault took down stay down.
   */
  reconfigure(config: WorldConfig): void {
    this.#keys = buildKeys(config);
    const previous = this.#links;
    this.#links = new Links(config.links);
    this.#links.keepFaultsOf(previous, new Set(config.hosts.map((host) => host.name)));
  }

  /** Host memory not committed to guests; ballooned pages the host reclaimed count as free. */
  freeBytes(host: Host, guests: Iterable<Guest>): number {
    let used = 0;
    for (const guest of guests) if (guest.host === host) used += committedBytes(guest);
    return host.memoryBytes - used;
  }

  /** `freeBytes` of every host in one pass over the guests (a snapshot of 200 guests asks for all). */
  freeBytesByHost(guests: Iterable<Guest>): Map<Host, number> {
    const free = new Map<Host, number>();
    for (const host of this.hosts.values()) free.set(host, host.memoryBytes);
    for (const guest of guests) {
      const hostFree = free.get(guest.host);
      if (hostFree !== undefined) free.set(guest.host, hostFree - committedBytes(guest));
    }
    return free;
  }
}

/** Host memory a guest holds: its memory less the ballooned pages the host reclaimed. */
function committedBytes(guest: Guest): number {
  return guest.config.memory - (guest.balloonBackend?.reclaimedBytes ?? 0);
}

function buildKeys(config: WorldConfig): Map<string, KeyObject> {
  return new Map(Object.entries(config.keys).map(([name, raw]) => [name, publicKeyFromBase64(raw)]));
}
