import {assert} from '../../core/assert.js';
import {VirtioStatus, type FeatureSet} from '../../core/virtio.js';
import type {DmaMode} from '../dma-policy.js';
import {dmaOpsFor, negotiate, reportRefusal, type ProbeRefusalCode} from './driver-probe.js';
import {DriverCore} from './driver-core.js';
import {DriverRings} from './driver-rings.js';
import {CallbackRequest, type RequestPart, type SubmitResult} from './driver-request.js';
import type {KernelServices} from './kernel-services.js';
import type {VirtioPciTransport} from './transport.js';

/**
 * The guest kernel's side of one virtio device, which it reaches only through the device's
 * transport: probe (feature negotiation, the DMA decision of §2.4, rings in coherent memory),
 * requests mapped through the device's DMA operations, and completion handling that unmaps
 * (copying bounced data back) before the device model sees the result.
 */
export abstract class VirtioDriver {
  protected readonly kernel: KernelServices;
  /** The hot state and paths, in one object of one shape whatever the driver (see DriverCore). */
  protected readonly core: DriverCore;
  mode: DmaMode | 'absent' = 'absent';
  bounces = false;
  /** Which check refused the device at probe; null while it is bound or absent. */
  refusalCode: ProbeRefusalCode | null = null;
  /** The kernel's words for that refusal. */
  refusalMessage: string | null = null;

  /** @param driverName as the kernel prints it (`virtio_blk`) */
  constructor(kernel: KernelServices, transport: VirtioPciTransport, driverName: string) {
    this.kernel = kernel;
    this.core = new DriverCore(kernel, transport, driverName, () => this.onConfigChange());
  }

  /** Driver name as the kernel prints it (`virtio_blk`). */
  get driverName(): string {
    return this.core.driverName;
  }

  /** Feature bits this driver understands (device-specific; the transport's are added). */
  protected abstract get supportedFeatures(): FeatureSet;

  /** Guest memory the driver keeps for request buffers (its share of the kernel heap). */
  protected abstract get arenaBytes(): number;

  /** The device's transport: the only surface of the device the driver touches. */
  get transport(): VirtioPciTransport {
    return this.core.transport;
  }

  /** Position on the virtio bus. */
  get deviceIndex(): number {
    return this.core.transport.index;
  }

  /** `virtio<index>`, as the kernel names the device. */
  get deviceName(): string {
    return this.core.transport.name;
  }

  get completed(): number {
    return this.core.completed;
  }

  get failed(): number {
    return this.core.failed;
  }

  get integrityErrors(): number {
    return this.core.integrityErrors;
  }

  /** Requests the workload submitted that have not finished. */
  get inFlight(): number {
    return this.core.inFlight;
  }

  /** Requests of the workload handed to the ring (or failed at once), and those that finished: submitted = finished + inFlight. */
  get submitted(): number {
    return this.core.submitted;
  }

  get finished(): number {
    return this.core.finished;
  }

  get isReady(): boolean {
    return this.mode === 'direct' || this.mode === 'dma-api';
  }

  get isBroken(): boolean {
    return this.core.isBroken;
  }

  get status(): 'ok' | 'needs-reset' | 'refused' {
    if (this.mode === 'refused') return 'refused';
    return this.core.isBroken || this.core.needsReset() ? 'needs-reset' : 'ok';
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
    const core = this.core;
    assert(this.mode === 'absent', `${core.label}: probed twice (probe once, or remove first)`);
    const transport = core.transport;
    const negotiation = negotiate(this.kernel, transport, this.supportedFeatures, (features) =>
      this.validate(features),
    );
    if (negotiation.refusal) return this.#refuse(negotiation.refusal.code, negotiation.refusal.message);
    const {features, decision} = negotiation;
    this.mode = decision.mode;
    this.bounces = decision.bounces;
    core.isBroken = false;
    core.rings = new DriverRings(this.kernel.heap, dmaOpsFor(this.kernel, decision, transport.index));
    if (!core.rings.setUp(transport, this.kernel.view, features, this.arenaBytes)) {
      this.remove();
      return this.#refuse('heap-exhausted', 'cannot allocate rings (guest kernel heap exhausted)');
    }
    transport.connectInterrupts(core.handlers);
    transport.writeDeviceStatus(transport.deviceStatus | VirtioStatus.driverOk);
    this.onStart();
    return true;
  }

  /** After migration the driver talks to the target's instance of its device. */
  rebindTransport(transport: VirtioPciTransport): void {
    const core = this.core;
    assert(
      transport.index === core.transport.index && transport.deviceType === core.transport.deviceType,
      `${core.label}: rebound to ${transport.name} (virtio-${transport.deviceType}); a migrated driver keeps its device`,
    );
    core.transport.disconnectInterrupts();
    core.transport = transport;
    if (this.isReady) transport.connectInterrupts(core.handlers);
  }

  /** Removes the driver: requests still queued are aborted (counted failed), memory is freed, the device reset. */
  remove(): void {
    const core = this.core;
    core.abortAll();
    core.rings?.release();
    core.rings = undefined;
    this.onRemoved();
    core.transport.disconnectInterrupts();
    core.transport.writeDeviceStatus(0);
    this.mode = 'absent';
    this.bounces = false;
  }

  /** The rings and their buffer arena were released: drop what lived in them (every request has ended). */
  protected onRemoved(): void {}

  /** Config-change interrupt: a device that went to NEEDS_RESET fails its outstanding requests. */
  protected onConfigChange(): void {
    const core = this.core;
    if (!core.needsReset() || core.isBroken) return;
    core.isBroken = true;
    core.abortAll();
  }

  /**
   * Maps the parts, adds them to the queue and notifies the device (the simple drivers; the
   * others keep request objects and call `core.submit`).
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
    return this.core.submit(queueIndex, new CallbackRequest(parts, isCounted, onDone, onFail));
  }

  /** Fault injection: queues a looped chain on the first queue and notifies the device. */
  injectLoopedChain(): boolean {
    const core = this.core;
    const queue = core.rings?.queues[0];
    const gpa = core.allocate(16);
    if (!queue || gpa === undefined) return false;
    const release = () => core.free(gpa);
    if (!queue.addLoopedChain(new CallbackRequest([], true, release, release), gpa)) {
      release();
      return false;
    }
    core.inFlight++;
    core.submitted++;
    core.transport.notify(0);
    return true;
  }

  #refuse(code: ProbeRefusalCode, message: string): false {
    const transport = this.core.transport;
    transport.writeDeviceStatus(transport.deviceStatus | VirtioStatus.failed);
    this.mode = 'refused';
    this.refusalCode = code;
    this.refusalMessage = message;
    reportRefusal(this.kernel, this.core.label, code, message);
    return false;
  }
}
