import {invariantBroken} from '../../core/assert.js';
import {VirtioStatus} from '../../core/virtio.js';
import {type DriverRings, SegmentScratch} from './driver-rings.js';
import type {DriverRequest, SubmitResult} from './driver-request.js';
import type {KernelServices, MappingDevice} from './kernel-services.js';
import type {InterruptHandlers, VirtioPciTransport} from './transport.js';

/**
 * The hot state and paths of one bound driver (buffer memory, submit, interrupt, completion),
 * one class whatever the device type: every driver holds one, so the property accesses on these
 * paths see a single object shape rather than one per driver class (five: more than V8 keeps
 * per access site before it gives up on caching them).
 */
export class DriverCore {
  readonly kernel: KernelServices;
  transport: VirtioPciTransport;
  /** As the kernel prints it (`virtio_blk`). */
  readonly driverName: string;
  /** `virtio_blk virtio1`: driver and device, as the kernel's messages name them. */
  readonly label: string;
  /** The device's rings and buffer memory while the driver is bound. */
  rings: DriverRings<DriverRequest> | undefined = undefined;
  isBroken = false;
  completed = 0;
  failed = 0;
  integrityErrors = 0;
  /** Requests the workload submitted that have not finished. */
  inFlight = 0;
  /** Requests of the workload handed to the ring (or failed at once), and those that finished: submitted = finished + inFlight. */
  submitted = 0;
  finished = 0;
  /** The driver's vectors, to connect to the transport. */
  readonly handlers: InterruptHandlers;
  readonly #segments = new SegmentScratch();
  readonly #interruptWorks: (() => void)[] = [];

  constructor(
    kernel: KernelServices,
    transport: VirtioPciTransport,
    driverName: string,
    onConfigChange: () => void,
  ) {
    this.kernel = kernel;
    this.transport = transport;
    this.driverName = driverName;
    this.label = `${driverName} ${transport.name}`;
    this.handlers = {
      queue: (queueIndex) => kernel.runOnCpu(this.#interruptWork(queueIndex)),
      configChanged: () => kernel.runOnCpu(onConfigChange),
    };
  }

  /** Bytes of driver buffer memory (cache-line aligned by default); undefined when the arena is exhausted. */
  allocate(bytes: number, alignmentBytes?: number): number | undefined {
    return this.rings?.allocate(bytes, alignmentBytes);
  }

  free(gpa: number): void {
    this.rings?.free(gpa);
  }

  /**
   * Maps the request's parts, adds them to the queue and notifies the device.
   * @returns 'queued'; 'retry' when the bounce pool or ring is full (nothing was kept); 'failed' for a broken device
   */
  submit(queueIndex: number, request: DriverRequest): SubmitResult {
    const rings = this.rings;
    const queue = rings?.queues[queueIndex];
    const isCounted = request.isCounted;
    if (!rings || !queue || this.isBroken || this.needsReset()) return this.#failAtOnce(isCounted);
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
    if (queue.kickPrepare()) this.transport.notify(queueIndex);
    return 'queued';
  }

  /** The device set NEEDS_RESET. */
  needsReset(): boolean {
    return (this.transport.deviceStatus & VirtioStatus.needsReset) !== 0;
  }

  /** Fails every request still on the rings (the device was reset or broke). */
  abortAll(): void {
    for (const queue of this.rings?.queues ?? [])
      for (const request of queue.detachUnused()) this.finish(request, undefined);
  }

  /** Unmaps (bouncing device-written data back) and hands the request to its device model. */
  finish(request: DriverRequest, usedLength: number | undefined): void {
    this.rings?.unmapRequest(request, usedLength);
    if (request.isCounted) {
      if (this.inFlight <= 0)
        invariantBroken(`${this.label}: a request finished with none in flight (finished twice)`);
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

  #mappingDevice(): MappingDevice {
    return {index: this.transport.index, label: this.label};
  }

  #failAtOnce(isCounted: boolean): 'failed' {
    if (isCounted) {
      this.failed++;
      this.submitted++;
      this.finished++;
    }
    return 'failed';
  }

  /** The handler of a queue's vector as guest work, made once per queue (an interrupt allocates nothing). */
  #interruptWork(queueIndex: number): () => void {
    return this.#interruptWorks[queueIndex] ?? this.#makeInterruptWork(queueIndex);
  }

  // Apart from #interruptWork: a function whose closure captures its parameter allocates that
  // closure's context on every call, even when it returns the closure made before.
  #makeInterruptWork(queueIndex: number): () => void {
    const work = () => this.#onInterrupt(queueIndex);
    this.#interruptWorks[queueIndex] = work;
    return work;
  }

  #onInterrupt(queueIndex: number): void {
    const queue = this.rings?.queues[queueIndex];
    if (!queue) return;
    for (let count = 0; count <= queue.queueSize; count++) {
      const used = queue.getBuf();
      if (used === undefined) break;
      if (typeof used === 'string') {
        this.kernel.context.emit(this.kernel.vm, 'virtio-error', 'error', `${this.label}: ${used}`);
        this.isBroken = true;
        for (const request of queue.detachUnused()) this.finish(request, undefined);
        return;
      }
      this.finish(used.token, used.len);
    }
  }
}
