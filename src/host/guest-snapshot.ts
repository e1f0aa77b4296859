import {recommendNslabs} from '../core/swiotlb.js';
import type {Guest} from './guest.js';
import type {BalloonSnapshot, MigrationSnapshot, SwiotlbSnapshot, VmSnapshot} from './snapshot-types.js';
import {balloonAvailability, balloonBackendOf} from './balloon-policy.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';
import {snapshotDevice} from './virtio/device-snapshot.js';

/** Rates a world's sampler keeps per guest (once per simulated second). */
export interface GuestRates {
  readonly bytesPerSecond: number;
  readonly requestsPerSecond: number;
  readonly swiotlbHistory: readonly number[];
  readonly swiotlbRecentPeak: number;
}

/** Builds the contract view (DESIGN §5) of one guest: plain, JSON-serialisable, read-only data. */
export function snapshotGuest(
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
      failure: failureText(guest),
      failureCode: guest.lifecycle.lastFailure?.code ?? null,
      memoryProtected: guest.isProtected,
    },
    io: {bytesPerSecond: rates.bytesPerSecond, requestsPerSecond: rates.requestsPerSecond},
    devices: guest.backends.map((backend, index) =>
      snapshotDevice(backend, guest.driverFor(backend), guest.deviceTotals[index]),
    ),
    swiotlb: snapshotSwiotlb(guest, rates.swiotlbRecentPeak),
    balloon: snapshotBalloon(guest),
    migration,
  };
  return withHistory ? {...snapshot, swiotlbHistory: rates.swiotlbHistory} : snapshot;
}

function snapshotSwiotlb(guest: Guest, recentPeak: number): SwiotlbSnapshot | null {
  const pool = guest.kernel?.swiotlb;
  if (!pool) return null;
  const usedByDevice: Record<string, number> = {};
  for (const [deviceIndex, slots] of [...pool.usedByDevice].sort((a, b) => a[0] - b[0]))
    usedByDevice[`virtio${deviceIndex}`] = slots;
  return {
    nslabs: pool.nslabs,
    nareas: pool.nareas,
    used: pool.used,
    hiwater: pool.hiwater,
    recentPeak: Math.max(recentPeak, pool.used),
    mapFailures: pool.mapFailures,
    bouncedBytesToDevice: pool.bouncedBytesToDevice,
    bouncedBytesFromDevice: pool.bouncedBytesFromDevice,
    usedByDevice,
    recommendedNslabs: recommendNslabs(pool),
  };
}

function snapshotBalloon(guest: Guest): BalloonSnapshot | null {
  const backend = balloonBackendOf(guest);
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
