import {assert, invariantBroken} from '../../core/assert.js';
import {VirtioStatus, type FeatureSet} from '../../core/virtio.js';
import type {DmaMode} from '../dma-policy.js';
import {dmaOpsFor, negotiate, reportRefusal, type ProbeRefusalCode} from './driver-probe.js';
import {DriverRings, SegmentScratch} from './driver-rings.js';
import {CallbackRequest, type DriverRequest, type RequestPart, type SubmitResult} from './driver-request.js';
import type {KernelServices, MappingDevice} from './kernel-services.js';
import type {InterruptHandlers, VirtioPciTransport} from './transport.js';

/**
 * The guest kernel's side of one virtio device, which it reaches only through the device's
 * transport: probe (feature negotiation, the DMA decision of §2.4, rings in coherent memory),
 * requests mapped through the device's DMA operations, and completion handling that unmaps
 * (copying bounced data back) before the device model sees the result.
 */
export abstract class VirtioDriver {
  protected readonly kernel: KernelServices;
  #transport: VirtioPciTransport;
  mode: DmaMode | 'absent' = 'absent';
  bounces = false;
  /** Which check refused the device at probe; null while it is bound or absent. */
  refusalCode: ProbeRefusalCode | null = null;
  /** The kernel's words for that refusal. */
  refusalMessage: string | null = null;
  completed = 0;
  failed = 0;
  integrityErrors = 0;
  /** Requests the workload submitted that have not finished. */
  inFlight = 0;
  /** Requests of the workload handed to the ring (or failed at once), and those that finished: submitted = finished + inFlight. */
  submitted = 0;
  finished = 0;
  #rings: DriverRings<DriverRequest> | undefined;
  #isBroken = false;
  readonly #handlers: InterruptHandlers;
  readonly #segments = new SegmentScratch();
  readonly #interruptWorks: (() => void)[] = [];

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    this.kernel = kernel;
    this.#transport = transport;
    const configChanged = () => this.onConfigChange();
    this.#handlers = {
      queue: (queueIndex) => kernel.runOnCpu(this.#interruptWork(queueIndex)),
      configChanged: () => kernel.runOnCpu(configChanged),
    };
  }

  /** Driver name as the kernel prints it (`virtio_blk`). */
  abstract get driverName(): string;

  /** Feature bits this driver understands (device-specific; the transport's are added). */
  protected abstract get supportedFeatures(): FeatureSet;

  /** Guest memory the driver keeps for request buffers (its share of the kernel heap). */
  protected abstract get arenaBytes(): number;

  /** The device's transport: the only surface of the device the driver touches. */
  get transport(): VirtioPciTransport {
    return this.#transport;
  }

  /** Position of the device on the virtio bus. */
  get deviceIndex(): number {
    return this.#transport.index;
  }

  /** `virtio<index>`, as the kernel names the device. */
  get deviceName(): string {
    return this.#transport.name;
  }

  /** `virtio_blk virtio1`: driver and device, as the kernel's messages name them. */
  get #label(): string {
    return `${this.driverName} ${this.deviceName}`;
  }

  get isReady(): boolean {
    return this.mode === 'direct' || this.mode === 'dma-api';
  }

  get isBroken(): boolean {
    return this.#isBroken;
  }

  get status(): 'ok' | 'needs-reset' | 'refused' {
    if (this.mode === 'refused') return 'refused';
    return this.#isBroken || this.#deviceNeedsReset() ? 'needs-reset' : 'ok';
  }

  /** `validate` hook: features to drop before negotiation (the balloon drops ACCESS_PLATFORM). */
  protected validate(features: FeatureSet): FeatureSet {
    return features;
  }

  /** Called once the device is live (post rx buffers, read config). */
  protected onStart(): void {}

  /**
   * Probes the device as `virtio_dev_probe` does: reset, acknowledge, negotiate, decide DMA,
   * set up queues (`vp_modern_find_vqs`), DRIVER_OK.
   * @returns false when the device was refused or could not be set up
   */
  probe(): boolean {
    assert(this.mode === 'absent', `${this.#label}: probed twice (probe once, or remove first)`);
    const transport = this.#transport;
    const negotiation = negotiate(this.kernel, transport, this.supportedFeatures, (features) =>
      this.validate(features),
    );
    if (negotiation.refusal) return this.#refuse(negotiation.refusal.code, negotiation.refusal.message);
    const {features, decision} = negotiation;
    this.mode = decision.mode;
    this.bounces = decision.bounces;
    this.#isBroken = false;
    this.#rings = new DriverRings(this.kernel.heap, dmaOpsFor(this.kernel, decision, transport.index));
    if (!this.#rings.setUp(transport, this.kernel.view, features, this.arenaBytes)) {
      this.remove();
      return this.#refuse('heap-exhausted', 'cannot allocate rings (guest kernel heap exhausted)');
    }
    transport.connectInterrupts(this.#handlers);
    transport.writeDeviceStatus(transport.deviceStatus | VirtioStatus.driverOk);
    this.onStart();
    return true;
  }

  /** After migration the driver talks to the target's instance of its device. */
  rebindTransport(transport: VirtioPciTransport): void {
    assert(
      transport.index === this.#transport.index && transport.deviceType === this.#transport.deviceType,
      `${this.#label}: rebound to ${transport.name} (virtio-${transport.deviceType}); a migrated driver keeps its device`,
    );
    this.#transport.disconnectInterrupts();
    this.#transport = transport;
    if (this.isReady) transport.connectInterrupts(this.#handlers);
  }

  /** Removes the driver: requests still queued are aborted (counted failed), memory is freed, the device reset. */
  remove(): void {
    this.#abortAll();
    this.#rings?.release();
    this.#rings = undefined;
    this.#transport.disconnectInterrupts();
    this.#transport.writeDeviceStatus(0);
    this.mode = 'absent';
    this.bounces = false;
  }

  /** Config-change interrupt: a device that went to NEEDS_RESET fails its outstanding requests. */
  protected onConfigChange(): void {
    if (!this.#deviceNeedsReset() || this.#isBroken) return;
    this.#isBroken = true;
    this.#abortAll();
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
    const rings = this.#rings;
    const queue = rings?.queues[queueIndex];
    const isCounted = request.isCounted;
    if (!rings || !queue || this.#isBroken || this.#deviceNeedsReset()) return this.#failAtOnce(isCounted);
    // One request's buffers (and its indirect table) are all mapped on the CPU that submits it.
    this.kernel.beginRequest();
    const unmappedBytes = rings.mapRequest(request, this.driverName);
    if (unmappedBytes > 0) {
      if (!this.kernel.reportMapFailure(this.#mappingDevice(), unmappedBytes))
        return this.#failAtOnce(isCounted);
      return 'retry';
    }
    if (queue.add(this.#segments.of(request), request) === undefined) {
      rings.unmapRequest(request, undefined);
      return 'retry';
    }
    if (isCounted) {
      this.inFlight++;
      this.submitted++;
    }
    if (queue.kickPrepare()) this.#transport.notify(queueIndex);
    return 'queued';
  }

  /** Fault injection: queues a looped chain on the first queue and notifies the device. */
  injectLoopedChain(): boolean {
    const queue = this.#rings?.queues[0];
    const gpa = this.allocateBuffer(16);
    if (!queue || gpa === undefined) return false;
    const release = () => this.freeBuffer(gpa);
    if (!queue.addLoopedChain(new CallbackRequest([], true, release, release), gpa)) {
      release();
      return false;
    }
    this.inFlight++;
    this.submitted++;
    this.#transport.notify(0);
    return true;
  }

  /** Bytes of driver buffer memory (cache-line aligned by default); undefined when the arena is exhausted. */
  protected allocateBuffer(bytes: number, alignmentBytes?: number): number | undefined {
    return this.#rings?.allocate(bytes, alignmentBytes);
  }

  protected freeBuffer(gpa: number): void {
    this.#rings?.free(gpa);
  }

  #refuse(code: ProbeRefusalCode, message: string): false {
    const transport = this.#transport;
    transport.writeDeviceStatus(transport.deviceStatus | VirtioStatus.failed);
    this.mode = 'refused';
    this.refusalCode = code;
    this.refusalMessage = message;
    reportRefusal(this.kernel, this.#label, code, message);
    return false;
  }

  #mappingDevice(): MappingDevice {
    return {index: this.deviceIndex, label: this.#label};
  }

  #deviceNeedsReset(): boolean {
    return (this.#transport.deviceStatus & VirtioStatus.needsReset) !== 0;
  }

  #failAtOnce(isCounted: boolean): 'failed' {
    if (isCounted) {
      this.failed++;
      this.submitted++;
      this.finished++;
    }
    return 'failed';
  }

  #abortAll(): void {
    for (const queue of this.#rings?.queues ?? [])
      for (const request of queue.detachUnused()) this.#finish(request, undefined);
  }

  /** The handler of a queue's vector as guest work, made once per queue (an interrupt allocates nothing). */
  #interruptWork(queueIndex: number): () => void {
    let work = this.#interruptWorks[queueIndex];
    if (!work) {
      work = () => this.#onInterrupt(queueIndex);
      this.#interruptWorks[queueIndex] = work;
    }
    return work;
  }

  #onInterrupt(queueIndex: number): void {
    const queue = this.#rings?.queues[queueIndex];
    if (!queue) return;
    for (let count = 0; count <= queue.queueSize; count++) {
      const used = queue.getBuf();
      if (used === undefined) break;
      if (typeof used === 'string') {
        this.kernel.context.emit(this.kernel.vm, 'virtio-error', 'error', `${this.#label}: ${used}`);
        this.#isBroken = true;
        for (const request of queue.detachUnused()) this.#finish(request, undefined);
        return;
      }
      this.#finish(used.token, used.len);
    }
  }

  /** Unmaps (bouncing device-written data back) and hands the request to its device model. */
  #finish(request: DriverRequest, usedLength: number | undefined): void {
    this.#rings?.unmapRequest(request, usedLength);
    if (request.isCounted) {
      if (this.inFlight <= 0)
        invariantBroken(`${this.#label}: a request finished with none in flight (finished twice)`);
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
}
