import {featureSet, VirtioFeature, type FeatureSet} from '../../core/virtio.js';
import type {NetFlowChecker} from '../checkers/net-flow-checker.js';
import type {DmaDirection} from '../../core/swiotlb.js';
import {DriverRequest, type SubmitResult} from './driver-request.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
import {fillBytes} from '../../core/copy-bytes.js';
import {
  decodedFrame,
  decodeFrame,
  encodeFrame,
  frameBytes,
  FRAME_MAX_BYTES,
  isRxLengthValid,
  type DecodedFrame,
} from './net-frame.js';
import {NET_HEADER_BYTES, NET_RX_QUEUE, NET_TX_QUEUE} from './net-protocol.js';
import type {VirtioPciTransport} from './transport.js';

const RX_BUFFER_BYTES = NET_HEADER_BYTES + FRAME_MAX_BYTES;
const RX_BUFFERS_POSTED = 32;
/** Retry posting an rx buffer after the ring, the pool or buffer memory was full. */
const RX_RETRY_DELAY_US = 1_000;
/** Flows per driver instance; each boot numbers its own. */
const FLOWS_PER_BOOT = 16;

/**
 * virtio_net: keeps the rx ring stocked with 1526-byte buffers and sends frames whose per-flow
 * sequence numbers and checksums the net flow checker gives and checks at both ends.
 */
export class NetDriver extends VirtioDriver {
  /** Where a received frame is read to when it cannot be read in place. */
  readonly #scratch = Buffer.alloc(RX_BUFFER_BYTES);
  /** Where `send` builds a packet it cannot build in place: its virtio-net header stays all zeros (no offloads). */
  readonly #txPacket = Buffer.alloc(RX_BUFFER_BYTES);
  readonly #received = decodedFrame();
  /** The fields of the frame `send` encodes (one object, not one per frame). */
  readonly #sending = decodedFrame();
  readonly #checker: NetFlowChecker;
  readonly #flowBase: number;
  readonly #spareTx: NetRequest[] = [];
  readonly #spareRx: NetRequest[] = [];
  /** Rx buffers dropped for a used length the device could not have written (`rx_length_errors`). */
  rxLengthErrors = 0;

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    super(kernel, transport, 'virtio_net');
    this.#flowBase = ((kernel.bootCount + 1) * FLOWS_PER_BOOT) & 0xffff;
    this.#checker = kernel.checkers.net(transport.index);
    this.#checker.resetGuest();
  }

  protected get supportedFeatures(): FeatureSet {
    return featureSet(VirtioFeature.netMac, VirtioFeature.netStatus);
  }

  protected get arenaBytes(): number {
    return 256 * 1024;
  }

  protected override onStart(): void {
    for (let i = 0; i < RX_BUFFERS_POSTED; i++) if (!this.#postRxBuffer()) break;
  }

  /**
   * Sends one frame on a flow (0..15 per driver instance).
   * @param replyBytes size of the reply the peer should send, 0 for none
   */
  send(flowIndex: number, payloadBytes: number, replyBytes: number): SubmitResult {
    const flow = (this.#flowBase + flowIndex) & 0xffff;
    const length = NET_HEADER_BYTES + frameBytes(payloadBytes);
    const gpa = this.core.allocate(length);
    if (gpa === undefined) return 'retry';
    const sequence = this.#checker.nextSequence(flow);
    const fields = this.#sending;
    fields.flow = flow;
    fields.sequence = sequence;
    fields.payloadBytes = payloadBytes;
    fields.replyBytes = replyBytes;
    this.#writePacket(gpa, length, fields, sequence & 0xff);
    const request = this.#request(true, gpa, length);
    const result = this.core.submit(NET_TX_QUEUE, request);
    if (result === 'queued') this.#checker.commitSent(flow, sequence);
    else this.#recycle(request);
    return result;
  }

  /**
   * Builds the packet (an all-zero virtio-net header: no offloads, then the frame) in its buffer in
   * guest memory, the header in place before the data as the kernel pushes it into the skb's
   * headroom (torvalds/linux drivers/net/virtio_net.c `xmit_skb`, `can_push`); through a scratch
   * copy only when the buffer is not in one page the view may touch directly.
   */
  #writePacket(gpa: number, length: number, fields: DecodedFrame, fillByte: number): void {
    const view = this.kernel.view;
    const page = view.checkedFrame(gpa, length, true);
    if (page !== undefined) {
      const at = view.rangeOffset;
      fillBytes(page, 0, at, at + NET_HEADER_BYTES);
      encodeFrame(page, at + NET_HEADER_BYTES, fields, fillByte);
      return;
    }
    encodeFrame(this.#txPacket, NET_HEADER_BYTES, fields, fillByte);
    view.write(gpa, this.#txPacket, 0, length);
  }

  /** A frame went out (tx) or came in (rx, `usedLength` bytes), or was aborted (undefined); called by NetRequest. */
  ended(request: NetRequest, usedLength: number | undefined): void {
    const isDone = usedLength !== undefined;
    if (request.isTx) {
      if (isDone) this.core.completed++;
      this.#recycle(request);
      return;
    }
    if (isDone) this.#receive(request.gpa, request.postedBytes, usedLength);
    this.#recycle(request);
    if (isDone) this.#postRxBuffer();
  }

  /** A request from the spares (a frame allocates nothing in the steady state). */
  #request(isTx: boolean, gpa: number, length: number): NetRequest {
    const request = (isTx ? this.#spareTx : this.#spareRx).pop() ?? new NetRequest(this, isTx);
    request.prepare(gpa, length);
    return request;
  }

  /** Gives a request's buffer back, and the request to the spares. */
  #recycle(request: NetRequest): void {
    this.core.free(request.gpa);
    (request.isTx ? this.#spareTx : this.#spareRx).push(request);
  }

  #postRxBuffer(): boolean {
    const gpa = this.core.allocate(RX_BUFFER_BYTES);
    if (gpa === undefined) return false;
    const request = this.#request(false, gpa, RX_BUFFER_BYTES);
    const result = this.core.submit(NET_RX_QUEUE, request);
    if (result === 'queued') return true;
    this.#recycle(request);
    if (result === 'retry') this.kernel.guestTimer(RX_RETRY_DELAY_US, this.#retryRxBuffer);
    return false;
  }

  // A field, not an arrow inside #postRxBuffer: one there made every call allocate its context.
  readonly #retryRxBuffer = (): void => {
    if (this.isReady) this.#postRxBuffer();
  };

  /**
   * A received frame, checked and handed to the flow checker. A used length the buffer cannot
   * hold, or too short for a frame, is counted and the buffer dropped, as virtio_net does
   * (`receive_small`, `receive_buf`; `pr_debug` only, so no event); it never reaches the decoder.
   */
  #receive(gpa: number, postedBytes: number, usedLength: number): void {
    if (!isRxLengthValid(usedLength, postedBytes)) {
      this.rxLengthErrors++;
      return;
    }
    const frameLength = usedLength - NET_HEADER_BYTES;
    const fields = this.#received;
    if (!this.#decodeReceived(gpa + NET_HEADER_BYTES, frameLength, fields)) {
      this.#integrityError('received frame has a bad checksum or length');
      return;
    }
    if (((fields.flow - this.#flowBase) & 0xffff) >= FLOWS_PER_BOOT) return; // a reply to an earlier boot's flow
    this.core.completed++;
    const problem = this.#checker.checkReceived(fields);
    if (problem) this.#integrityError(problem);
  }

  /**
   * Decodes the frame where the device put it, as the kernel builds the skb around the rx buffer
   * without copying it (torvalds/linux drivers/net/virtio_net.c `receive_small`, `build_skb`);
   * through a scratch copy when it is not in one page the view may read directly.
   */
  #decodeReceived(gpa: number, length: number, into: DecodedFrame): boolean {
    const view = this.kernel.view;
    const page = view.checkedFrame(gpa, length, false);
    if (page !== undefined) return decodeFrame(page, view.rangeOffset, length, into);
    view.read(gpa, this.#scratch, 0, length);
    return decodeFrame(this.#scratch, 0, length, into);
  }

  #integrityError(message: string): void {
    this.core.integrityErrors++;
    this.kernel.context.emit(this.kernel.vm, 'integrity', 'error', `${this.core.label}: ${message}`);
  }
}

/** One frame's buffer on the tx or rx queue; reused once it ended, so nothing keeps it past then. */
class NetRequest extends DriverRequest {
  gpa = 0;
  readonly #part: {cpuGpa: number; len: number; direction: DmaDirection};

  constructor(
    readonly driver: NetDriver,
    readonly isTx: boolean,
  ) {
    const part = {cpuGpa: 0, len: 0, direction: (isTx ? 'to-device' : 'from-device') as DmaDirection};
    // rx buffers are posted in advance: not requests of the workload.
    super([part], isTx);
    this.#part = part;
  }

  prepare(gpa: number, length: number): void {
    this.gpa = gpa;
    this.#part.cpuGpa = gpa;
    this.#part.len = length;
  }

  /** How many bytes the buffer was posted with: all a device may say it wrote. */
  get postedBytes(): number {
    return this.#part.len;
  }

  done(usedLength: number): void {
    this.driver.ended(this, usedLength);
  }

  fail(): void {
    this.driver.ended(this, undefined);
  }
}
