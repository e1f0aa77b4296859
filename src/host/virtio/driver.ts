import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {MemoryView} from '../../core/memory-view.js';
import {RangeAllocator} from '../../core/range-allocator.js';
import {SplitVirtqueueDriver, type IndirectTable} from '../../core/split-virtqueue-driver.js';
import {
  DMA_MAPPING_ERROR,
  PCI_SEG_BOUNDARY_MASK,
  type DmaDirection,
  type SwiotlbPool,
} from '../../core/swiotlb.js';
import {hasFeature, VirtioFeature, VirtioStatus, withoutFeature, type FeatureSet} from '../../core/virtio.js';
import type {DmaPolicy} from '../config/world-schema.js';
import {createDmaOps, type CoherentBuffer, type DmaOps, type PageSharing} from '../dma-ops.js';
import {decideDma, type DmaMode} from '../dma-policy.js';
import type {SimContext} from '../sim-context.js';
import type {VirtioBackend} from './backend.js';

/** What a driver needs from the guest kernel it runs in. */
export interface KernelServices {
  readonly context: SimContext;
  readonly vm: string;
  readonly view: MemoryView;
  readonly heap: RangeAllocator;
  readonly policy: DmaPolicy;
  readonly isSecure: boolean;
  readonly isSwiotlbForced: boolean;
  readonly swiotlb: SwiotlbPool | null;
  /** Page sharing with the hypervisor; present only in a secure guest. */
  readonly sharing: PageSharing | undefined;
  currentCpu(): number;
  /** Runs guest code on a vCPU (interrupt handlers): deferred while the VM is paused. */
  runOnCpu(work: () => void): void;
  /** The rate-limited "swiotlb buffer is full" warning. */
  warnSwiotlbFull(device: string, sizeBytes: number): void;
  /** Boots of this guest so far; tells this boot's traffic from an earlier one's. */
  readonly bootCount: number;
  /** Firmware and bootloaders drive devices with raw addresses whatever the kernel would do. */
  readonly isFirmware: boolean;
}

/** One part of a request: a guest buffer and the way data flows. */
export interface RequestPart {
  readonly cpuGpa: number;
  readonly len: number;
  readonly direction: DmaDirection;
}

/** A request in flight: its parts, their device addresses once mapped, and what to do when it ends. */
export abstract class DriverRequest {
  readonly dmaAddrs: number[] = [];
  constructor(
    readonly parts: readonly RequestPart[],
    /** false for buffers posted in advance (rx), which are not requests of the workload */
    readonly isCounted: boolean,
  ) {}

  /** The device returned the request with `usedLength` bytes written; buffers are unmapped. */
  abstract done(usedLength: number): void;

  /** The request was aborted (device reset or broken); buffers are unmapped. */
  abstract fail(): void;
}

class CallbackRequest extends DriverRequest {
  constructor(
    parts: readonly RequestPart[],
    isCounted: boolean,
    readonly onDone: (usedLength: number) => void,
    readonly onFail: () => void,
  ) {
    super(parts, isCounted);
  }

  done(usedLength: number): void {
    this.onDone(usedLength);
  }

  fail(): void {
    this.onFail();
  }
}

interface MutableSegment {
  addr: number;
  len: number;
  isDeviceWritable: boolean;
}

/** An indirect descriptor table for one chain, in the driver's buffer memory. */
class IndirectBuffer implements IndirectTable {
  dmaAddr = DMA_MAPPING_ERROR;
  constructor(
    readonly cpuGpa: number,
    readonly bytes: number,
    readonly dma: DmaOps,
    readonly driver: VirtioDriver,
  ) {}

  publish(): boolean {
    this.dmaAddr = this.dma.map(this.cpuGpa, this.bytes, 'to-device');
    return this.dmaAddr !== DMA_MAPPING_ERROR;
  }

  release(): void {
    this.dma.unmap(this.dmaAddr, this.bytes, 'to-device');
    this.driver.releaseIndirect(this.cpuGpa);
  }
}

export type SubmitResult = 'queued' | 'retry' | 'failed';

/** Guest memory each driver keeps for request buffers (its share of the kernel heap). */
export const DRIVER_ARENA_BYTES: Record<string, number> = {
  blk: 1024 * 1024,
  net: 256 * 1024,
  console: 64 * 1024,
  rng: 64 * 1024,
  balloon: 64 * 1024,
};

/**
 * The guest kernel's side of one virtio device: probe (feature negotiation, the DMA decision of
 * §2.4, rings in coherent memory), requests mapped through the device's DMA operations, and
 * completion handling that unmaps (copying bounced data back) before the device model verifies it.
 */
export abstract class VirtioDriver {
  backend: VirtioBackend;
  protected readonly kernel: KernelServices;
  mode: DmaMode | 'absent' = 'absent';
  bounces = false;
  completed = 0;
  failed = 0;
  integrityErrors = 0;
  /** Requests the workload submitted that have not finished. */
  inFlight = 0;
  /** Requests of the workload handed to the ring (or failed at once), and those that finished: submitted = finished + inFlight. */
  submitted = 0;
  finished = 0;
  /** Submissions put back because the bounce pool or ring was full (the driver retries them). */
  retries = 0;
  protected dma: DmaOps | undefined;
  protected queues: SplitVirtqueueDriver<DriverRequest>[] = [];
  protected arena: RangeAllocator | undefined;
  #rings: CoherentBuffer[] = [];
  #arenaBase: number | undefined;
  #isBroken = false;

  constructor(kernel: KernelServices, backend: VirtioBackend) {
    this.kernel = kernel;
    this.backend = backend;
  }

  /** Driver name as the kernel prints it (`virtio_blk`). */
  abstract get driverName(): string;

  /** Feature bits this driver understands (device-specific plus transport). */
  protected abstract get supportedFeatures(): FeatureSet;

  get isReady(): boolean {
    return this.mode === 'direct' || this.mode === 'dma-api';
  }

  get isBroken(): boolean {
    return this.#isBroken;
  }

  get status(): 'ok' | 'needs-reset' | 'refused' {
    if (this.mode === 'refused') return 'refused';
    return this.#isBroken || this.backend.isBroken ? 'needs-reset' : 'ok';
  }

  /** `validate` hook: features to drop before negotiation (the balloon drops ACCESS_PLATFORM). */
  protected validate(features: FeatureSet): FeatureSet {
    return features;
  }

  /** Called once the device is live (post rx buffers, read config). */
  protected onStart(): void {}

  /**
   * Probes the device: reset, acknowledge, negotiate, decide DMA, set up queues, DRIVER_OK.
   * @returns false when the device was refused or could not be set up
   */
  probe(): boolean {
    const backend = this.backend;
    backend.reset();
    backend.setStatus(VirtioStatus.acknowledge | VirtioStatus.driver);
    let features = backend.offeredFeatures & (this.supportedFeatures | transportFeatures());
    features = this.validate(features);
    const decision = this.kernel.isFirmware
      ? {mode: 'direct' as const, bounces: false}
      : decideDma({
          policy: this.kernel.policy,
          isSecure: this.kernel.isSecure,
          deviceType: backend.type,
          negotiated: features,
          isSwiotlbForced: this.kernel.isSwiotlbForced,
        });
    if (decision.mode === 'refused') {
      this.mode = 'refused';
      backend.setStatus(backend.status | VirtioStatus.failed);
      this.kernel.context.emit(
        this.kernel.vm,
        'probe-refused',
        'warning',
        `${this.driverName} ${backend.name}: ${decision.refusal}`,
      );
      return false;
    }
    if (this.kernel.isFirmware) features = withoutFeature(features, VirtioFeature.accessPlatform);
    if (!backend.setDriverFeatures(features)) {
      backend.setStatus(backend.status | VirtioStatus.failed);
      this.mode = 'refused';
      return false;
    }
    backend.setStatus(backend.status | VirtioStatus.featuresOk);
    this.mode = decision.mode;
    this.bounces = decision.bounces;
    this.#isBroken = false;
    this.dma = createDmaOps({
      heap: this.kernel.heap,
      pool: decision.bounces ? (this.kernel.swiotlb ?? undefined) : undefined,
      // virtio-pci: the DMA device is the PCI function, with PCI's 4 GiB segment boundary.
      device: {index: backend.identity.index, minAlignMask: 0, segBoundaryMask: PCI_SEG_BOUNDARY_MASK},
      sharing: decision.mode === 'dma-api' ? this.kernel.sharing : undefined,
      currentCpu: () => this.kernel.currentCpu(),
    });
    if (!this.#setUpQueuesAndArena(features)) {
      this.kernel.context.emit(
        this.kernel.vm,
        'probe-failed',
        'error',
        `${this.driverName} ${backend.name}: cannot allocate rings (guest kernel heap exhausted)`,
      );
      this.remove();
      this.mode = 'refused';
      return false;
    }
    this.#attachHandlers(backend);
    backend.setStatus(backend.status | VirtioStatus.driverOk);
    this.onStart();
    return true;
  }

  /** After migration the driver talks to the target's instance of its device. */
  rebindBackend(backend: VirtioBackend): void {
    this.backend.onInterrupt = undefined;
    this.backend.onConfigChange = undefined;
    this.backend = backend;
    if (this.mode === 'direct' || this.mode === 'dma-api') this.#attachHandlers(backend);
  }

  #attachHandlers(backend: VirtioBackend): void {
    backend.onInterrupt = (queueIndex) => this.kernel.runOnCpu(() => this.#onInterrupt(queueIndex));
    backend.onConfigChange = () => this.kernel.runOnCpu(() => this.onConfigChange());
  }

  /** Removes the driver: requests still queued are aborted (counted failed), memory is freed, the device reset. */
  remove(): void {
    for (const queue of this.queues)
      for (const request of queue.detachUnused()) this.#finish(request, undefined);
    for (const ring of this.#rings) this.dma?.freeCoherent(ring);
    if (this.#arenaBase !== undefined) this.kernel.heap.free(this.#arenaBase);
    this.#rings = [];
    this.#arenaBase = undefined;
    this.arena = undefined;
    this.queues = [];
    this.backend.onInterrupt = undefined;
    this.backend.onConfigChange = undefined;
    this.backend.reset();
    this.mode = 'absent';
    this.bounces = false;
  }

  /** Config-change interrupt: a device that went to NEEDS_RESET fails its outstanding requests. */
  protected onConfigChange(): void {
    if (!this.backend.isBroken || this.#isBroken) return;
    this.#isBroken = true;
    for (const queue of this.queues)
      for (const request of queue.detachUnused()) this.#finish(request, undefined);
  }

  /**
   * Maps the parts, adds them to the queue and notifies the device.
   * @param isCounted false for buffers posted in advance (rx), which are not requests of the workload
   * @returns 'queued'; 'retry' when the bounce pool or ring is full (nothing was kept); 'failed' for a broken device
   */
  protected submit(
    queueIndex: number,
    parts: readonly RequestPart[],
    onDone: (usedLength: number) => void,
    onFail: () => void,
    isCounted = true,
  ): SubmitResult {
    return this.submitRequest(queueIndex, new CallbackRequest(parts, isCounted, onDone, onFail));
  }

  /** `submit` for a request object (no closures per request on the hot path). */
  protected submitRequest(queueIndex: number, request: DriverRequest): SubmitResult {
    const queue = this.queues[queueIndex];
    const dma = this.dma;
    const isCounted = request.isCounted;
    if (!queue || !dma || this.#isBroken || this.backend.isBroken) {
      if (isCounted) {
        this.failed++;
        this.submitted++;
        this.finished++;
      }
      return 'failed';
    }
    const parts = request.parts;
    const dmaAddrs = request.dmaAddrs;
    dmaAddrs.length = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const dmaAddr = dma.map(part.cpuGpa, part.len, part.direction);
      if (dmaAddr === DMA_MAPPING_ERROR) {
        this.kernel.warnSwiotlbFull(`${this.driverName} ${this.backend.name}`, part.len);
        this.#unmapAll(request, dmaAddrs.length);
        this.retries++;
        return 'retry';
      }
      dmaAddrs.push(dmaAddr);
    }
    const segments = this.#segmentScratch(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const segment = segments[i]!;
      segment.addr = dmaAddrs[i]!;
      segment.len = parts[i]!.len;
      segment.isDeviceWritable = parts[i]!.direction !== 'to-device';
    }
    if (queue.add(segments, request) === undefined) {
      this.#unmapAll(request, dmaAddrs.length);
      this.retries++;
      return 'retry';
    }
    if (isCounted) {
      this.inFlight++;
      this.submitted++;
    }
    if (queue.kickPrepare()) this.backend.notify(queueIndex);
    return 'queued';
  }

  /** Undoes the first `count` mappings of a request that will not be queued (nothing to copy back). */
  #unmapAll(request: DriverRequest, count: number): void {
    for (let i = 0; i < count; i++) this.dma?.unmap(request.dmaAddrs[i]!, request.parts[i]!.len, 'to-device');
  }

  readonly #segmentScratches: MutableSegment[][] = [];

  /** Reusable segment lists (the ring copies them into descriptors at once). */
  #segmentScratch(count: number): MutableSegment[] {
    let scratch = this.#segmentScratches[count];
    if (!scratch) {
      scratch = Array.from({length: count}, () => ({addr: 0, len: 0, isDeviceWritable: false}));
      this.#segmentScratches[count] = scratch;
    }
    return scratch;
  }

  /** Fault injection: queues a looped chain on the first queue and notifies the device. */
  injectLoopedChain(): boolean {
    const queue = this.queues[0];
    const gpa = this.allocateBuffer(16);
    if (!queue || gpa === undefined) return false;
    const request = new CallbackRequest(
      [],
      true,
      () => this.freeBuffer(gpa),
      () => this.freeBuffer(gpa),
    );
    if (!queue.addLoopedChain(request, gpa)) {
      this.freeBuffer(gpa);
      return false;
    }
    this.inFlight++;
    this.submitted++;
    this.backend.notify(0);
    return true;
  }

  /** Called after completions were handled, so device models can retry what was put back. */
  protected onCompletions(_queueIndex: number): void {}

  /** Bytes of driver buffer memory; undefined when the arena is exhausted. */
  protected allocateBuffer(bytes: number): number | undefined {
    return this.arena?.allocate(bytes, 64);
  }

  protected freeBuffer(gpa: number): void {
    this.arena?.free(gpa);
  }

  #onInterrupt(queueIndex: number): void {
    const queue = this.queues[queueIndex];
    if (!queue) return;
    for (let count = 0; count <= queue.queueSize; count++) {
      const used = queue.getBuf();
      if (used === undefined) break;
      if (typeof used === 'string') {
        this.kernel.context.emit(
          this.kernel.vm,
          'virtio-error',
          'error',
          `${this.driverName} ${this.backend.name}: ${used}`,
        );
        this.#isBroken = true;
        for (const request of queue.detachUnused()) this.#finish(request, undefined);
        return;
      }
      this.#finish(used.token, used.len);
    }
    this.onCompletions(queueIndex);
  }

  /** Unmaps (bouncing device-written data back) and hands the request to its device model. */
  #finish(request: DriverRequest, usedLength: number | undefined): void {
    const dma = this.dma;
    const parts = request.parts;
    for (let i = 0; i < parts.length; i++)
      dma?.unmap(
        request.dmaAddrs[i]!,
        parts[i]!.len,
        usedLength === undefined ? 'to-device' : parts[i]!.direction,
      );
    if (request.isCounted) {
      this.inFlight--;
      this.finished++;
    }
    if (usedLength === undefined) {
      if (request.isCounted) this.failed++;
      request.fail();
      return;
    }
    request.done(usedLength);
  }

  #setUpQueuesAndArena(features: FeatureSet): boolean {
    const dma = this.dma!;
    const hasEventIdx = hasFeature(features, VirtioFeature.eventIdx);
    const hasIndirect = hasFeature(features, VirtioFeature.indirectDesc);
    const queueSize = this.backend.identity.config.queueSize;
    for (let index = 0; index < this.backend.queueCount; index++) {
      const probeLayoutBytes = 16 * queueSize + 6 + 2 * queueSize + 8 + 8 * queueSize + 6;
      const ring = dma.allocCoherent(probeLayoutBytes);
      if (!ring) return false;
      this.#rings.push(ring);
      this.queues.push(
        new SplitVirtqueueDriver<DriverRequest>({
          view: this.kernel.view,
          baseGpa: ring.cpuGpa,
          queueSize,
          hasEventIdx,
          allocateIndirect: hasIndirect ? (bytes) => this.#allocateIndirect(bytes) : undefined,
        }),
      );
      this.backend.setupQueue(index, ring.dmaAddr, queueSize);
    }
    const arenaBytes = DRIVER_ARENA_BYTES[this.backend.type] ?? GUEST_PAGE_SIZE;
    this.#arenaBase = this.kernel.heap.allocate(arenaBytes, GUEST_PAGE_SIZE);
    if (this.#arenaBase === undefined) return false;
    this.arena = new RangeAllocator(this.#arenaBase, arenaBytes, 64);
    return true;
  }

  /** An indirect table lives in ordinary kernel memory and is DMA-mapped like a buffer (`vring_map_single`). */
  #allocateIndirect(bytes: number): IndirectTable | undefined {
    const dma = this.dma;
    const cpuGpa = this.allocateBuffer(bytes);
    if (cpuGpa === undefined || !dma) return undefined;
    return new IndirectBuffer(cpuGpa, bytes, dma, this);
  }

  /** An indirect table's memory goes back once the device is done with it. */
  releaseIndirect(cpuGpa: number): void {
    this.freeBuffer(cpuGpa);
  }
}

function transportFeatures(): FeatureSet {
  let features = 0n;
  for (const bit of [
    VirtioFeature.version1,
    VirtioFeature.eventIdx,
    VirtioFeature.indirectDesc,
    VirtioFeature.accessPlatform,
  ])
    features |= 1n << BigInt(bit);
  return features;
}
