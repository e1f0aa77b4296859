import type {GuestMemory} from '../../core/guest-memory.js';
import {
  copyBytes,
  MemoryView,
  OutOfRangeAccess,
  SecurePageFault,
  type PageChunkVisitor,
} from '../../core/memory-view.js';
import type {TimerHandle} from '../../core/scheduler.js';
import {SplitVirtqueueDevice, type QueueElement} from '../../core/split-virtqueue-device.js';
import {
  featureSet,
  hasFeature,
  transportFeatureNames,
  VirtioFeature,
  VirtioStatus,
  type FeatureSet,
} from '../../core/virtio.js';
import type {DeviceConfig, DeviceType} from '../config/world-schema.js';
import type {SimContext} from '../sim-context.js';

/** Time from a guest's notify to the device starting work (a VM exit and QEMU's handler). */
export const NOTIFY_LATENCY_US = 5;
/** Time from a device's interrupt to the guest's handler running. */
export const INTERRUPT_LATENCY_US = 5;

export interface BackendIdentity {
  readonly vm: string;
  /** Position on the virtio bus: the guest sees `virtio<index>`. */
  readonly index: number;
  readonly config: DeviceConfig;
}

/** Device state that migration carries (QEMU's vmstate for the virtio device). */
export interface BackendMigrationState {
  readonly status: number;
  readonly negotiated: FeatureSet;
  readonly queues: ReadonlyArray<{
    readonly baseGpa: number;
    readonly size: number;
    readonly indices: {lastAvailIdx: number; usedIdx: number; inUse: number};
    readonly pending: readonly QueueElement[];
  }>;
  readonly extra: unknown;
}

interface PendingCompletion {
  readonly element: QueueElement;
  readonly timer: TimerHandle;
}

/**
 * The hypervisor's side of one virtio device (QEMU's VirtIODevice plus its backend). It touches
 * guest memory only through the hypervisor's view, so in a secure guest it can reach only shared
 * pages; a blocked access counts a fault and, as QEMU's `virtio_error()` does, puts the device in
 * NEEDS_RESET. It never throws out of the simulation.
 */
export abstract class VirtioBackend {
  readonly type: DeviceType;
  readonly identity: BackendIdentity;
  readonly offeredFeatures: FeatureSet;
  protected readonly context: SimContext;
  protected view: MemoryView;
  status = 0;
  #negotiated: FeatureSet = 0n;
  #negotiatedNames: readonly string[] = [];
  /** Transport feature names, for snapshots (computed when features change, not per snapshot). */
  readonly offeredFeatureNames: readonly string[];
  errorMessage: string | null = null;
  bytesToDevice = 0;
  bytesFromDevice = 0;
  /** Integrity errors the device side detected (bad checksums or sequence in what the guest sent). */
  integrityErrors = 0;
  #faultsBeforeRebind = 0;
  #isDetached = false;
  #queues: (SplitVirtqueueDevice | undefined)[] = [];
  #queueBases: number[] = [];
  #pending: Map<number, PendingCompletion>[] = [];
  #serviceTimers: (TimerHandle | undefined)[] = [];
  #interruptTimers: (TimerHandle | undefined)[] = [];
  /** Set by the guest driver at probe: its interrupt handler for a queue. */
  onInterrupt: ((queueIndex: number) => void) | undefined;
  /** Set by the guest driver: the config-change interrupt (used for NEEDS_RESET and balloon targets). */
  onConfigChange: (() => void) | undefined;

  constructor(
    context: SimContext,
    identity: BackendIdentity,
    memory: GuestMemory,
    deviceFeatures: FeatureSet,
  ) {
    this.context = context;
    this.identity = identity;
    this.type = identity.config.type;
    this.view = new MemoryView(memory, true);
    const transport = featureSet(VirtioFeature.version1, VirtioFeature.eventIdx, VirtioFeature.indirectDesc);
    const platform = identity.config.iommu ? featureSet(VirtioFeature.accessPlatform) : 0n;
    this.offeredFeatures = deviceFeatures | transport | platform;
    this.offeredFeatureNames = transportFeatureNames(this.offeredFeatures);
  }

  get negotiated(): FeatureSet {
    return this.#negotiated;
  }

  set negotiated(features: FeatureSet) {
    this.#negotiated = features;
    this.#negotiatedNames = transportFeatureNames(features);
  }

  get negotiatedFeatureNames(): readonly string[] {
    return this.#negotiatedNames;
  }

  /** Number of virtqueues this device type has. */
  abstract get queueCount(): number;

  get name(): string {
    return `virtio${this.identity.index}`;
  }

  get isBroken(): boolean {
    return (this.status & VirtioStatus.needsReset) !== 0;
  }

  get faults(): number {
    return this.#faultsBeforeRebind + this.view.faults;
  }

  get inFlight(): number {
    let count = 0;
    for (const pending of this.#pending) count += pending?.size ?? 0;
    return count;
  }

  /** Points the device at another memory (the migration target's RAM). */
  rebindMemory(memory: GuestMemory): void {
    this.#faultsBeforeRebind += this.view.faults;
    this.view = new MemoryView(memory, true);
    this.#queues = this.#queues.map((queue, index) =>
      queue ? this.#rebuildQueue(this.#queueBases[index]!, queue.queueSize, queue.indices) : undefined,
    );
  }

  // ---- transport, as the guest driver drives it ----

  /** Device reset (writing 0 to the status register): drops queues and pending work. */
  reset(): void {
    for (let queue = 0; queue < this.#pending.length; queue++) this.#cancelQueueWork(queue);
    this.status = 0;
    this.negotiated = 0n;
    this.errorMessage = null;
    this.#queues = [];
    this.#queueBases = [];
    this.#pending = [];
    this.onReset();
  }

  setStatus(status: number): void {
    this.status = status;
  }

  /**
   * The driver writes the features it accepts; like QEMU, refuse bits that were not offered.
   * @returns true when FEATURES_OK may be set
   */
  setDriverFeatures(features: FeatureSet): boolean {
    if ((features & ~this.offeredFeatures) !== 0n) return false;
    this.negotiated = features;
    return true;
  }

  /** The driver tells the device where queue `index` lives (queue_desc/avail/used registers). */
  setupQueue(index: number, baseGpa: number, size: number): void {
    this.#queueBases[index] = baseGpa;
    this.#queues[index] = this.#rebuildQueue(baseGpa, size, undefined);
    this.#pending[index] = new Map();
  }

  /** The driver's notification (a write to the queue notify register). */
  notify(queueIndex: number): void {
    if (this.isBroken || this.#isDetached || this.#serviceTimers[queueIndex]) return;
    this.#serviceTimers[queueIndex] = this.context.scheduler.after(NOTIFY_LATENCY_US, () => {
      this.#serviceTimers[queueIndex] = undefined;
      this.service(queueIndex);
    });
  }

  /** Pops everything available on a queue and hands each element to the device model. */
  service(queueIndex: number): void {
    const queue = this.#queues[queueIndex];
    if (!queue || this.isBroken || !(this.status & VirtioStatus.driverOk)) return;
    for (let count = 0; count <= queue.queueSize; count++) {
      let element;
      try {
        element = queue.pop();
      } catch (error) {
        this.#fault(error, 'vring');
        return;
      }
      if (element === undefined) return;
      if ('error' in element) {
        this.virtioError(element.error);
        return;
      }
      try {
        this.onAvailable(queueIndex, element);
      } catch (error) {
        this.#fault(error, 'buffer');
        return;
      }
    }
  }

  // ---- for device models ----

  /** A popped element: start its work, then call completeAt (or keep it, like posted rx buffers). */
  protected abstract onAvailable(queueIndex: number, element: QueueElement): void;

  /** Device-specific state reset. */
  protected onReset(): void {}

  /**
   * Finishes an element at `atUs`: `execute` moves its bytes through the hypervisor view and
   * returns the number of bytes written into the element (the used length).
   */
  protected completeAt(queueIndex: number, element: QueueElement, atUs: number, execute: () => number): void {
    const pending = this.#pending[queueIndex];
    if (!pending || this.#isDetached) return;
    const timer = this.context.scheduler.at(atUs, () => {
      pending.delete(element.head);
      if (this.isBroken) return;
      let usedLength: number;
      try {
        usedLength = execute();
      } catch (error) {
        this.#fault(error, 'buffer');
        return;
      }
      this.#queues[queueIndex]?.push(element.head, usedLength);
      this.#raiseInterrupt(queueIndex);
    });
    pending.set(element.head, {element, timer});
  }

  /** `virtio_error()`: the device is broken until reset; the guest hears of it by a config interrupt. */
  virtioError(message: string): void {
    if (this.isBroken) return;
    this.errorMessage = message;
    this.status |= VirtioStatus.needsReset;
    for (let queue = 0; queue < this.#pending.length; queue++) this.#cancelQueueWork(queue);
    this.context.emit(
      this.identity.vm,
      'virtio-error',
      'error',
      `${this.name} (virtio-${this.type}): ${message}`,
    );
    this.context.scheduler.after(INTERRUPT_LATENCY_US, () => this.onConfigChange?.());
  }

  /** Reads guest bytes into a scratch buffer that is valid until the next read. */
  protected readBytes(gpa: number, length: number): Buffer {
    const bytes = this.scratch(length, 'header');
    this.view.read(gpa, bytes, 0, length);
    this.bytesToDevice += length;
    return bytes;
  }

  /** A reusable buffer (one per purpose) so requests do not allocate; valid until the next use. */
  protected scratch(length: number, purpose: 'header' | 'data'): Buffer {
    let buffer = purpose === 'header' ? this.#headerScratch : this.#dataScratch;
    if (buffer.length < length) {
      buffer = Buffer.allocUnsafe(Math.max(length, buffer.length * 2));
      if (purpose === 'header') this.#headerScratch = buffer;
      else this.#dataScratch = buffer;
    }
    return buffer.subarray(0, length);
  }

  #headerScratch = Buffer.allocUnsafe(64);
  #dataScratch = Buffer.allocUnsafe(4096);

  /** Reads an element's device-readable segments into one (scratch) buffer. */
  protected readOut(element: QueueElement, skip = 0): Buffer {
    let total = 0;
    for (const segment of element.out) total += segment.len;
    const bytes = this.scratch(Math.max(0, total - skip), 'data');
    this.streamOut(element, skip, (piece, offset, length, position) =>
      copyBytes(piece, offset, bytes, position, length),
    );
    return bytes;
  }

  /**
   * Hands an element's device-readable bytes after the first `skip` to `sink` piece by piece,
   * straight from guest memory (QEMU's iov_to_buf without the bounce through a host buffer).
   * @returns the number of bytes handed over
   */
  protected streamOut(element: QueueElement, skip: number, sink: PageChunkVisitor): number {
    let position = 0;
    let toSkip = skip;
    for (const segment of element.out) {
      const from = Math.min(toSkip, segment.len);
      toSkip -= from;
      const length = segment.len - from;
      if (length > 0) {
        const base = position;
        this.view.visit(segment.addr + from, length, false, (bytes, offset, count, at) =>
          sink(bytes, offset, count, base + at),
        );
      }
      position += length;
    }
    this.bytesToDevice += position;
    return position;
  }

  /**
   * Fills the first `length` bytes of an element's device-writable segments from `source`, which
   * writes each piece of guest memory it is handed.
   * @returns the number of bytes written
   */
  protected streamIn(element: QueueElement, length: number, source: PageChunkVisitor): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= length) break;
      const count = Math.min(segment.len, length - position);
      const base = position;
      this.view.visit(segment.addr, count, true, (bytes, offset, pieceLength, at) =>
        source(bytes, offset, pieceLength, base + at),
      );
      position += count;
    }
    this.bytesFromDevice += position;
    return position;
  }

  /** Writes one byte at `position` of an element's device-writable segments (a status byte). */
  protected writeInByte(element: QueueElement, position: number, value: number): boolean {
    let segmentStart = 0;
    for (const segment of element.in) {
      if (position < segmentStart + segment.len) {
        this.view.writeU8(segment.addr + position - segmentStart, value);
        this.bytesFromDevice += 1;
        return true;
      }
      segmentStart += segment.len;
    }
    return false;
  }

  /** Writes bytes into an element's device-writable segments, in order; returns bytes written. */
  protected writeIn(element: QueueElement, source: Uint8Array): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= source.length) break;
      const length = Math.min(segment.len, source.length - position);
      this.view.write(segment.addr, source, position, length);
      position += length;
    }
    this.bytesFromDevice += position;
    return position;
  }

  hasNegotiated(bit: number): boolean {
    return hasFeature(this.negotiated, bit);
  }

  // ---- migration ----

  /** Device state for the destination; pending elements are redone there (virtio-blk re-queues). */
  saveState(): BackendMigrationState {
    return {
      status: this.status,
      negotiated: this.negotiated,
      queues: this.#queues.map((queue, index) => ({
        baseGpa: this.#queueBases[index] ?? 0,
        size: queue?.queueSize ?? 0,
        indices: queue?.indices ?? {lastAvailIdx: 0, usedIdx: 0, inUse: 0},
        pending: [...(this.#pending[index]?.values() ?? [])].map((entry) => entry.element),
      })),
      extra: this.saveExtra(),
    };
  }

  loadState(state: BackendMigrationState): void {
    this.status = state.status;
    this.negotiated = state.negotiated;
    state.queues.forEach((queue, index) => {
      if (queue.size === 0) return;
      this.#queueBases[index] = queue.baseGpa;
      this.#queues[index] = this.#rebuildQueue(queue.baseGpa, queue.size, queue.indices);
      this.#pending[index] = new Map();
    });
    this.loadExtra(state.extra);
    state.queues.forEach((queue, index) => {
      for (const element of queue.pending) this.onAvailable(index, element);
    });
  }

  /** Stops all work for good (the source device after migration, or a guest being destroyed). */
  quiesce(): void {
    this.#isDetached = true;
    for (let queue = 0; queue < this.#pending.length; queue++) this.#cancelQueueWork(queue);
  }

  /** True once quiesced: late timers (a peer's reply) must not touch anything. */
  get isDetached(): boolean {
    return this.#isDetached;
  }

  protected saveExtra(): unknown {
    return null;
  }

  protected loadExtra(_extra: unknown): void {}

  #rebuildQueue(
    baseGpa: number,
    size: number,
    indices: {lastAvailIdx: number; usedIdx: number; inUse: number} | undefined,
  ): SplitVirtqueueDevice {
    const queue = new SplitVirtqueueDevice(
      this.view,
      baseGpa,
      size,
      this.hasNegotiated(VirtioFeature.eventIdx),
    );
    if (indices) queue.restoreIndices(indices);
    return queue;
  }

  #cancelQueueWork(queueIndex: number): void {
    const pending = this.#pending[queueIndex];
    if (pending) {
      for (const entry of pending.values()) entry.timer.cancel();
      pending.clear();
    }
    this.#serviceTimers[queueIndex]?.cancel();
    this.#serviceTimers[queueIndex] = undefined;
    this.#interruptTimers[queueIndex]?.cancel();
    this.#interruptTimers[queueIndex] = undefined;
  }

  #raiseInterrupt(queueIndex: number): void {
    const queue = this.#queues[queueIndex];
    if (!queue || this.#interruptTimers[queueIndex]) return;
    let shouldNotify: boolean;
    try {
      shouldNotify = queue.shouldNotify();
    } catch (error) {
      this.#fault(error, 'vring');
      return;
    }
    if (!shouldNotify) return;
    this.#interruptTimers[queueIndex] = this.context.scheduler.after(INTERRUPT_LATENCY_US, () => {
      this.#interruptTimers[queueIndex] = undefined;
      this.onInterrupt?.(queueIndex);
    });
  }

  #fault(error: unknown, what: 'vring' | 'buffer'): void {
    if (error instanceof SecurePageFault) {
      this.context.emit(
        this.identity.vm,
        'secure-fault',
        'error',
        `${this.name} (virtio-${this.type}): ${error.message}`,
      );
      this.virtioError(
        what === 'vring'
          ? 'Cannot map vring: guest memory is secure'
          : 'virtio: bogus descriptor or out of resources',
      );
      return;
    }
    if (error instanceof OutOfRangeAccess) {
      this.virtioError(`virtio: bogus descriptor or out of resources (${error.message})`);
      return;
    }
    throw error;
  }
}
