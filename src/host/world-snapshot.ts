import {recommendNslabs} from '../core/swiotlb.js';
import {balloonAvailability} from './balloon-policy.js';
import type {Cluster} from './cluster.js';
import type {Guest} from './guest.js';
import type {GuestRates, GuestStats} from './guest-stats.js';
import type {MigrationService} from './migration/migration-service.js';
import type {
  BalloonSnapshot,
  DeviceSnapshot,
  HostSnapshot,
  MigrationSnapshot,
  SwiotlbSnapshot,
  VmSnapshot,
  WorldSnapshot,
} from './snapshot-types.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';
import {snapshotDevice} from './virtio/device-snapshot.js';

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
  const freeBytes = cluster.freeBytesByHost(guests.values());
  const hosts: HostSnapshot[] = [...cluster.hosts.values()].map((host) => ({
    name: host.name,
    stack: host.stack,
    ultravisor: host.ultravisor !== null,
    secureMigration: host.secureMigration,
    memory: {
      totalBytes: host.memoryBytes,
      freeBytes: freeBytes.get(host)!,
      secureTotalBytes: host.ultravisor?.secureMemoryBytes ?? 0,
      secureUsedBytes: host.ultravisor?.secureUsedBytes ?? 0,
      secureIncomingBytes: host.ultravisor?.secureIncomingBytes ?? 0,
    },
  }));
  // A loop, not a callback made per snapshot: a callback's optimized code is lost at each major
  // collection once no closure made at its site lives (src/views/column-layout.ts says more).
  const vms: VmSnapshot[] = [];
  for (const guest of guests.values())
    vms.push(snapshotGuest(guest, stats.rates(guest.name), migrations.snapshot(guest.name), withHistory));
  return {tUs: sources.nowUs, hosts, vms};
}

/** Builds the contract view (DESIGN §5) of one guest: plain, JSON-serialisable, read-only data. */
function snapshotGuest(
  guest: Guest,
  rates: GuestRates,
  migration: MigrationSnapshot | null,
  withHistory: boolean,
): VmSnapshot {
  const snapshot: VmSnapshot = {
    name: guest.name,
    host: guest.host.name,
    state: guest.state,
    vcpus: guest.config.vcpus,
    memoryBytes: guest.config.memory,
    dmaPolicy: guest.config.dmaPolicy,
    dmaPolicyInEffect: guest.kernel && !guest.kernel.isFirmware ? guest.kernel.policy : null,
    workload: guest.config.workload.profile,
    svm: guest.config.svm,
    security: {
      state: guest.securityState,
      phase: guest.phase,
      progress: Math.round(guest.progress * 1000) / 1000,
      declared: guest.config.launchSecurity,
      confidentialGuestSupport: guest.hasConfidentialGuestSupport,
      failure: failureText(guest),
      failureCode: guest.lifecycle.lastFailure?.code ?? null,
      memoryProtected: guest.isProtected,
    },
    io: {bytesPerSecond: rates.bytesPerSecond, requestsPerSecond: rates.requestsPerSecond},
    devices: snapshotDevices(guest),
    swiotlb: snapshotSwiotlb(guest, rates.swiotlbRecentPeak),
    balloon: snapshotBalloon(guest),
    migration,
  };
  // Added to the object just built rather than spread into a copy of it: the same JSON, key last.
  if (withHistory) (snapshot as {swiotlbHistory?: readonly number[]}).swiotlbHistory = rates.swiotlbHistory;
  return snapshot;
}

function snapshotDevices(guest: Guest): DeviceSnapshot[] {
  const devices: DeviceSnapshot[] = [];
  const backends = guest.backends;
  for (let index = 0; index < backends.length; index++)
    devices.push(
      snapshotDevice(backends[index]!, guest.driverFor(backends[index]!), guest.deviceTotals[index]),
    );
  return devices;
}

function snapshotSwiotlb(guest: Guest, recentPeak: number): SwiotlbSnapshot | null {
  const pool = guest.kernel?.swiotlb;
  if (!pool) return null;
  return {
    nslabs: pool.nslabs,
    nareas: pool.nareas,
    used: pool.used,
    hiwater: pool.hiwater,
    recentPeak: Math.max(recentPeak, pool.used),
    mapFailures: pool.mapFailures,
    bouncedBytesToDevice: pool.bouncedBytesToDevice,
    bouncedBytesFromDevice: pool.bouncedBytesFromDevice,
    usedByDevice: usedByDeviceOf(pool.usedByDevice),
    recommendedNslabs: recommendedNslabsOf(pool.demand),
  };
}

/** Slots held per device, keyed `virtio<index>` in index order (the pool lists them so; sorted if not). */
export function usedByDeviceOf(held: ReadonlyMap<number, number>): Record<string, number> {
  let entries: Iterable<[number, number]> = held;
  let last = -1;
  for (const [deviceIndex] of held) {
    if (deviceIndex < last) {
      entries = [...held].sort((a, b) => a[0] - b[0]);
      break;
    }
    last = deviceIndex;
  }
  const usedByDevice: Record<string, number> = {};
  for (const [deviceIndex, slots] of entries) usedByDevice[`virtio${deviceIndex}`] = slots;
  return usedByDevice;
}

type PoolStats = Parameters<typeof recommendNslabs>[0];
/** Each pool's last recommendation and the counters it was made from: they change far less often than frames. */
const recommendations = new WeakMap<object, PoolStats & {readonly nslabsRecommended: number}>();

/** recommendNslabs of the pool, computed again only when one of the counters it reads changed. */
export function recommendedNslabsOf(pool: PoolStats & object): number {
  const last = recommendations.get(pool);
  if (
    last?.hiwater === pool.hiwater &&
    last.mapFailures === pool.mapFailures &&
    last.nslabs === pool.nslabs &&
    last.nareas === pool.nareas
  )
    return last.nslabsRecommended;
  const stats = {
    nslabs: pool.nslabs,
    nareas: pool.nareas,
    hiwater: pool.hiwater,
    mapFailures: pool.mapFailures,
  };
  const nslabsRecommended = recommendNslabs(stats);
  recommendations.set(pool, {...stats, nslabsRecommended});
  return nslabsRecommended;
}

/** The balloon as the snapshot shows it; null without a balloon device. */
export function snapshotBalloon(guest: Guest): BalloonSnapshot | null {
  const backend = guest.balloonBackend;
  if (!backend) return null;
  const {available, reason, reasonCode} = balloonAvailability(guest, backend);
  return {
    available,
    reason,
    reasonCode,
    targetBytes: backend.targetPages * BALLOON_PAGE_BYTES,
    actualBytes: backend.actualPages * BALLOON_PAGE_BYTES,
    reclaimedBytes: backend.reclaimedBytes,
  };
}

function failureText(guest: Guest): string | null {
  const failure = guest.lifecycle.lastFailure;
  return failure ? `${failure.code}: ${failure.reason}` : null;
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
