import type {FeatureSet} from '../../core/virtio.js';
import type {DeviceType} from '../config/world-schema.js';
import type {DeviceSnapshot} from '../snapshot-types.js';
import type {VirtioBackend} from './backend.js';
import type {VirtioDriver} from './driver.js';

/**
 * Counters of a device's earlier drivers (earlier boots) and earlier devices (on the host a
 * migration left), folded in so totals count the VM's whole life.
 */
export interface EarlierDriverTotals {
  readonly completed: number;
  readonly failed: number;
  readonly integrityErrors: number;
  readonly bytesToDevice: number;
  readonly bytesFromDevice: number;
  readonly faults: number;
}

/** A device's totals before anything happened to it. */
export const NO_TOTALS: EarlierDriverTotals = {
  completed: 0,
  failed: 0,
  integrityErrors: 0,
  bytesToDevice: 0,
  bytesFromDevice: 0,
  faults: 0,
};

/**
 * The contract view (DESIGN §5) of one device: the hypervisor's side (features, bytes, faults,
 * NEEDS_RESET and which check caused it) and the bound driver's (DMA mode, requests, a refusal
 * and which check made it). `driver` is undefined while none is bound (during a reboot).
 */
export function snapshotDevice(
  backend: VirtioBackend,
  driver: VirtioDriver | undefined,
  earlier: EarlierDriverTotals = NO_TOTALS,
): DeviceSnapshot {
  const mode = driver?.mode;
  const dma = mode === 'direct' || mode === 'dma-api' || mode === 'refused' ? mode : null;
  const status = driver?.status ?? (backend.isBroken ? 'needs-reset' : 'ok');
  const isRefused = status === 'refused';
  return {
    id: backend.name,
    type: backend.type,
    offersAccessPlatform: backend.identity.config.iommu,
    accessPlatformForced: backend.identity.isAccessPlatformForced ?? false,
    dma,
    bounces: driver?.bounces ?? false,
    status,
    error: isRefused ? (driver?.refusalMessage ?? null) : backend.errorMessage,
    errorCode: isRefused ? (driver?.refusalCode ?? null) : backend.errorCode,
    featuresOffered: backend.offeredFeatureNames,
    featuresNegotiated: backend.negotiatedFeatureNames,
    completed: earlier.completed + (driver?.completed ?? 0),
    failed: earlier.failed + (driver?.failed ?? 0),
    inFlight: driver?.inFlight ?? 0,
    bytesToDevice: earlier.bytesToDevice + backend.bytesToDevice,
    bytesFromDevice: earlier.bytesFromDevice + backend.bytesFromDevice,
    faults: earlier.faults + backend.faults,
    integrityErrors: earlier.integrityErrors + (driver?.integrityErrors ?? 0) + backend.integrityErrors,
  };
}

/** A device as QEMU's x-query-virtio-status reads its VirtIODevice (qemu/qemu hw/virtio/virtio.c `qmp_x_query_virtio_status`, 7.2). */
export interface VirtioStatusSnapshot {
  /** Position on the virtio bus (`virtio<index>`). */
  readonly index: number;
  readonly type: DeviceType;
  /** `vdev->status`, NEEDS_RESET included. */
  readonly status: number;
  readonly offeredFeatures: FeatureSet;
  readonly negotiatedFeatures: FeatureSet;
  readonly queueCount: number;
  /** `vdev->broken`: set with NEEDS_RESET by `virtio_error`. */
  readonly isBroken: boolean;
}

export function snapshotVirtioStatus(backend: VirtioBackend): VirtioStatusSnapshot {
  return {
    index: backend.transport.index,
    type: backend.type,
    status: backend.status,
    offeredFeatures: backend.offeredFeatures,
    negotiatedFeatures: backend.negotiated,
    queueCount: backend.queueCount,
    isBroken: backend.isBroken,
  };
}
