import {assert} from '../../core/assert.js';
import type {GuestMemory} from '../../core/guest-memory.js';
import type {SplitRingAddresses} from '../../core/split-ring-layout.js';
import type {QueueElement, RingError} from '../../core/split-virtqueue-device.js';
import {
  DEVICE_TRANSPORT_FEATURES,
  featureSet,
  hasFeature,
  transportFeatureNames,
  VirtioFeature,
  VirtioStatus,
  type FeatureSet,
} from '../../core/virtio.js';
import type {DeviceType} from '../config/world-schema.js';
import type {SimContext} from '../sim-context.js';
import type {DeviceConfigSpace} from './config-space.js';
import {deviceErrorFor, type DeviceErrorCode} from './device-error.js';
import {DeviceCore} from './device-core.js';
import {DeviceQueues, INTERRUPT_LATENCY_US, type ElementWork, type QueueOwner} from './device-queues.js';
import {ElementIo} from './element-io.js';
import type {BackendIdentity} from './backend-identity.js';
import {storesStatus} from './features-ok.js';
import type {BackendMigrationState, DeviceMigrationState} from './migration-state.js';
import {VirtioPciTransport, type TransportDevice} from './transport.js';

export type {BackendIdentity} from './backend-identity.js';

/**
 * The hypervisor's side of one virtio device (QEMU's VirtIODevice plus its backend), reached by
 * the guest only through its transport and touching guest memory only through the hypervisor's
 * view: secure pages come paged out, encrypted. A failed QEMU check puts it in NEEDS_RESET, as
 * `virtio_error()` does; it never throws out of the simulation.
 */
export abstract class VirtioBackend implements TransportDevice {
  readonly type: DeviceType;
  readonly identity: BackendIdentity;
  readonly offeredFeatures: FeatureSet;
  /** Transport feature names, for snapshots (computed when features change, not per snapshot). */
  readonly offeredFeatureNames: readonly string[];
  readonly transport: VirtioPciTransport;
  protected readonly context: SimContext;
  protected readonly io: ElementIo;
  /** Status, detachment and queues: what the hot paths read (see DeviceCore). */
  readonly core = new DeviceCore();
  #negotiated: FeatureSet = 0n;
  #negotiatedNames: readonly string[] = [];
  errorMessage: string | null = null;
  /** Which check broke the device (beside errorMessage). */
  errorCode: DeviceErrorCode | null = null;
  /** Integrity errors the device side detected (bad checksums or sequence in what the guest sent). */
  integrityErrors = 0;

  constructor(
    context: SimContext,
    identity: BackendIdentity,
    memory: GuestMemory,
    deviceFeatures: FeatureSet,
    config: DeviceConfigSpace,
  ) {
    this.context = context;
    this.identity = identity;
    this.type = identity.config.type;
    this.io = new ElementIo(memory);
    const platform = identity.config.iommu ? featureSet(VirtioFeature.accessPlatform) : 0n;
    this.offeredFeatures = deviceFeatures | DEVICE_TRANSPORT_FEATURES | platform;
    this.offeredFeatureNames = transportFeatureNames(this.offeredFeatures);
    this.transport = new VirtioPciTransport(identity.index, this, config);
    this.core.queues = new DeviceQueues(context.scheduler, this.#queueOwner());
  }

  /** Number of virtqueues this device type has. */
  abstract get queueCount(): number;

  /** Whether the device sizes its work by walking the available chains before it pops any (virtio-rng). */
  protected get walksAvailBytesFirst(): boolean {
    return false;
  }

  get queueSizeMax(): number {
    return this.identity.config.queueSize;
  }

  get status(): number {
    return this.core.status;
  }

  get negotiated(): FeatureSet {
    return this.#negotiated;
  }

  get negotiatedFeatureNames(): readonly string[] {
    return this.#negotiatedNames;
  }

  get name(): string {
    return this.transport.name;
  }

  get isBroken(): boolean {
    return this.core.isBroken;
  }

  /** The snapshot's `faults`: UV_PAGE_OUTs this device's accesses to secure pages caused. */
  get faults(): number {
    return this.io.pageOuts;
  }

  /** A secure page whose plaintext this device's view of memory holds, or -1 (it must hold none). */
  securePlaintextHeld(): number {
    return this.io.view.securePlaintextHeld();
  }

  get bytesToDevice(): number {
    return this.io.bytesToDevice;
  }

  get bytesFromDevice(): number {
    return this.io.bytesFromDevice;
  }

  get inFlight(): number {
    return this.core.queues.inFlight;
  }

  /** True once quiesced: late timers (a peer's reply) must not touch anything. */
  get isDetached(): boolean {
    return this.core.isDetached;
  }

  hasNegotiated(bit: number): boolean {
    return hasFeature(this.#negotiated, bit);
  }

  /** Points the device at another memory (the migration target's RAM). */
  rebindMemory(memory: GuestMemory): void {
    this.io.rebind(memory);
    this.core.queues.rebind(this.io.view, this.hasNegotiated(VirtioFeature.eventIdx));
  }

  // ---- what the transport calls, as the guest driver drives it ----

  /** `virtio_reset()`: drops queues and pending work. */
  reset(): void {
    this.core.queues.clear();
    this.core.status = 0;
    this.#setNegotiated(0n);
    this.errorMessage = null;
    this.errorCode = null;
    this.onReset();
  }

  /** `virtio_set_status()`: QEMU's feature check may leave FEATURES_OK unset (`storesStatus`). */
  setStatus(status: number): void {
    if (storesStatus(this.core.status, status, this.offeredFeatures, this.#negotiated))
      this.core.status = status;
  }

  /** `virtio_set_features()`: like QEMU, refuse bits that were not offered. */
  acceptFeatures(features: FeatureSet): boolean {
    if ((features & ~this.offeredFeatures) !== 0n) return false;
    this.#setNegotiated(features);
    return true;
  }

  /** queue_enable: the device uses the three addresses it was given. */
  enableQueue(queueIndex: number, addresses: SplitRingAddresses, size: number): void {
    assert(
      Number.isInteger(queueIndex) && queueIndex >= 0 && queueIndex < this.queueCount,
      `${this.name} (virtio-${this.type}): queue ${queueIndex} does not exist (the device has ${this.queueCount})`,
    );
    assert(
      size > 0 && size <= this.queueSizeMax,
      `${this.name} (virtio-${this.type}): queue size ${size} exceeds the device's ${this.queueSizeMax}`,
    );
    this.core.queues.enable(
      queueIndex,
      this.io.view,
      addresses,
      size,
      this.hasNegotiated(VirtioFeature.eventIdx),
    );
  }

  // ---- for device models ----

  /** A popped element: start its work, then call completeAt (or keep it, like posted rx buffers). */
  protected abstract onAvailable(queueIndex: number, element: QueueElement): void;

  /** Device-specific state reset. */
  protected onReset(): void {}

  /** The device type's own migration state. */
  protected abstract saveDevice(): DeviceMigrationState;

  /** Restores the device type's own state; `state` was saved by a device of the same type. */
  protected abstract loadDevice(state: DeviceMigrationState): void;

  /**
   * Finishes an element at `atUs`: `execute` moves its bytes and returns the used length. The
   * element goes back to its queue's pool once pushed: a device model keeps no reference to it.
   */
  protected completeAt(queueIndex: number, element: QueueElement, atUs: number, execute: ElementWork): void {
    this.core.completeAt(queueIndex, element, atUs, execute);
  }

  /** A saved element as one of this device's queue (a migration target taking over what the source had popped). */
  protected adopt(queueIndex: number, element: QueueElement): QueueElement {
    return this.core.queues.adopt(queueIndex, element);
  }

  /** `virtio_error()`: the device is broken until reset; the guest hears of it by a config interrupt. */
  virtioError(message: string, code: DeviceErrorCode): void {
    assert(message !== '', `${this.name}: virtio_error needs the text of the check that failed (${code})`);
    if (this.isBroken) return;
    this.errorMessage = message;
    this.errorCode = code;
    this.core.status |= VirtioStatus.needsReset;
    this.core.queues.cancelAll();
    this.context.emit(
      this.identity.vm,
      'virtio-error',
      'error',
      `${this.name} (virtio-${this.type}): ${message}`,
    );
    this.context.scheduler.after(INTERRUPT_LATENCY_US, () => this.transport.interruptConfig());
  }

  // ---- migration ----

  /** Device state for the destination, pending elements (redone there) as copies apart from the pool. */
  saveState(): BackendMigrationState {
    return {
      status: this.core.status,
      negotiated: this.#negotiated,
      queues: this.core.queues.save(),
      device: this.saveDevice(),
    };
  }

  loadState(state: BackendMigrationState): void {
    assert(
      state.device.type === this.type,
      `${this.name}: migration state of a ${state.device.type} device loaded into a ${this.type} device`,
    );
    assert(
      state.queues.length <= this.queueCount,
      `${this.name}: migration state has ${state.queues.length} queues, the device has ${this.queueCount}`,
    );
    assert(
      this.core.status === 0,
      `${this.name}: migration state loaded into a device the guest already set up`,
    );
    this.core.status = state.status;
    this.#setNegotiated(state.negotiated);
    const hasEventIdx = this.hasNegotiated(VirtioFeature.eventIdx);
    state.queues.forEach((queue, index) => {
      if (queue)
        this.core.queues.enable(index, this.io.view, queue.addresses, queue.size, hasEventIdx, queue.indices);
    });
    this.loadDevice(state.device);
    state.queues.forEach((queue, index) => {
      for (const element of queue?.pending ?? [])
        this.onAvailable(index, this.core.queues.adopt(index, element));
    });
  }

  /** Stops all work for good (the source device after migration, or a guest being destroyed). */
  quiesce(): void {
    this.core.isDetached = true;
    this.core.queues.cancelAll();
  }

  #setNegotiated(features: FeatureSet): void {
    this.#negotiated = features;
    this.#negotiatedNames = transportFeatureNames(features);
  }

  /** The queues' hooks; the per-request ones close over single-shape objects (see DeviceCore). */
  #queueOwner(): QueueOwner {
    const core = this.core;
    const transport = this.transport;
    return {
      name: this.name,
      isServing: () => core.isServing(),
      onAvailable: (queueIndex, element) => this.onAvailable(queueIndex, element),
      walksAvailBytesFirst: this.walksAvailBytesFirst,
      onRingError: (error: RingError) => this.virtioError(error.error, error.code),
      onAccessFault: (error) => {
        const deviceError = deviceErrorFor(error);
        if (!deviceError) throw error;
        this.virtioError(deviceError.message, deviceError.code);
      },
      interrupt: (queueIndex) => transport.interruptQueue(queueIndex),
    };
  }
}
