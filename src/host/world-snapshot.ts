import type {Cluster} from './cluster.js';
import type {Guest} from './guest.js';
import type {GuestStats} from './guest-stats.js';
import {snapshotGuest} from './guest-snapshot.js';
import type {MigrationService} from './migration/migration-service.js';
import type {HostSnapshot, WorldSnapshot} from './snapshot-types.js';

/** What the snapshot is built from. */
export interface SnapshotSources {
  readonly nowUs: number;
  readonly cluster: Cluster;
  readonly guests: ReadonlyMap<string, Guest>;
  readonly stats: GuestStats;
  readonly migrations: MigrationService;
}

/** The contract view (DESIGN §5) of the whole world: plain, JSON-serialisable, read-only data. */
export function buildWorldSnapshot(sources: SnapshotSources, withHistory: boolean): WorldSnapshot {
  const {cluster, guests, stats, migrations} = sources;
  const hosts: HostSnapshot[] = [...cluster.hosts.values()].map((host) => ({
    name: host.name,
    ultravisor: host.ultravisor !== null,
    secureMigration: host.secureMigration,
    memory: {
      totalBytes: host.memoryBytes,
      freeBytes: cluster.freeBytes(host, guests.values()),
      secureTotalBytes: host.ultravisor?.secureMemoryBytes ?? 0,
      secureUsedBytes: host.ultravisor?.secureUsedBytes ?? 0,
    },
  }));
  const vms = [...guests.values()].map((guest) =>
    snapshotGuest(guest, stats.rates(guest.name), migrations.snapshot(guest.name), withHistory),
  );
  return {tUs: sources.nowUs, hosts, vms};
}

/** Builds a snapshot at most once per change of the world (views may ask many times a frame). */
export class SnapshotCache {
  #version = 0;
  #cached: {version: number; withHistory: boolean; snapshot: WorldSnapshot} | undefined;

  /** Something changed: the next request builds afresh. */
  invalidate(): void {
    this.#version++;
  }

  get(withHistory: boolean, build: () => WorldSnapshot): WorldSnapshot {
    const cached = this.#cached;
    if (cached && cached.version === this.#version && cached.withHistory === withHistory)
      return cached.snapshot;
    const snapshot = build();
    this.#cached = {version: this.#version, withHistory, snapshot};
    return snapshot;
  }
}
