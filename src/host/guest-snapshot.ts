import {recommendNslabs} from '../core/swiotlb.js';
import type {Guest} from './guest.js';
import type {
  BalloonSnapshot,
  DeviceSnapshot,
  MigrationSnapshot,
  SwiotlbSnapshot,
  VmSnapshot,
} from './snapshot-types.js';
import {balloonAvailability, balloonBackendOf} from './balloon-policy.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-backend.js';
import type {VirtioBackend} from './virtio/backend.js';

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
    devices: guest.backends.map((backend, index) => snapshotDevice(guest, backend, index)),
    swiotlb: snapshotSwiotlb(guest, rates.swiotlbRecentPeak),
    balloon: snapshotBalloon(guest),
    migration,
  };
  return withHistory ? {...snapshot, swiotlbHistory: rates.swiotlbHistory} : snapshot;
}

function snapshotDevice(guest: Guest, backend: VirtioBackend, index: number): DeviceSnapshot {
  const driver = guest.driverFor(backend);
  const totals = guest.deviceTotals[index] ?? {completed: 0, failed: 0, integrityErrors: 0};
  const mode = driver?.mode;
  const dma = mode === 'direct' || mode === 'dma-api' || mode === 'refused' ? mode : null;
  const status = driver?.status ?? (backend.isBroken ? 'needs-reset' : 'ok');
  return {
    id: backend.name,
    type: backend.type,
    offersAccessPlatform: backend.identity.config.iommu,
    dma,
    bounces: driver?.bounces ?? false,
    status,
    error: status === 'refused' ? 'device must provide VIRTIO_F_ACCESS_PLATFORM' : backend.errorMessage,
    featuresOffered: backend.offeredFeatureNames,
    featuresNegotiated: backend.negotiatedFeatureNames,
    completed: totals.completed + (driver?.completed ?? 0),
    failed: totals.failed + (driver?.failed ?? 0),
    inFlight: driver?.inFlight ?? 0,
    bytesToDevice: backend.bytesToDevice,
    bytesFromDevice: backend.bytesFromDevice,
    faults: backend.faults,
    integrityErrors: totals.integrityErrors + (driver?.integrityErrors ?? 0) + backend.integrityErrors,
  };
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
