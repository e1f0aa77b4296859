import {featureSet, VirtioFeature, type FeatureSet} from '../../core/virtio.js';
import {VirtioDriver, type KernelServices, type SubmitResult} from './driver.js';
import type {VirtioBackend} from './backend.js';
import {decodeFrame, encodeFrame, frameBytes, FRAME_MAX_BYTES, NET_HEADER_BYTES} from './net-frame.js';

const RX_QUEUE = 0;
const TX_QUEUE = 1;
const RX_BUFFER_BYTES = NET_HEADER_BYTES + FRAME_MAX_BYTES;
const RX_BUFFERS_POSTED = 32;

/**
 * virtio_net: keeps the rx ring stocked with 1526-byte buffers, sends frames with per-flow
 * sequence numbers and checksums, and checks every received frame the same way.
 */
export class NetDriver extends VirtioDriver {
  /** Replies that never arrived (gaps in a flow's sequence): lost packets, not corruption. */
  rxLost = 0;
  readonly #scratch = Buffer.alloc(RX_BUFFER_BYTES);
  readonly #txSequence = new Map<number, number>();
  readonly #rxExpected = new Map<number, number>();
  readonly #flowBase: number;

  constructor(kernel: KernelServices, backend: VirtioBackend) {
    super(kernel, backend);
    this.#flowBase = ((kernel.bootCount + 1) * 16) & 0xffff;
  }

  get driverName(): string {
    return 'virtio_net';
  }

  protected get supportedFeatures(): FeatureSet {
    return featureSet(VirtioFeature.netMac, VirtioFeature.netStatus);
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
    const gpa = this.allocateBuffer(length);
    if (gpa === undefined) return 'retry';
    const sequence = this.#txSequence.get(flow) ?? 0;
    const packet = this.#scratch.subarray(0, length);
    packet.fill(0, 0, NET_HEADER_BYTES);
    encodeFrame(packet, NET_HEADER_BYTES, {flow, sequence, payloadBytes, replyBytes}, sequence & 0xff);
    this.kernel.view.write(gpa, packet, 0, length);
    const result = this.submit(
      TX_QUEUE,
      [{cpuGpa: gpa, len: length, direction: 'to-device'}],
      () => {
        this.completed++;
        this.freeBuffer(gpa);
      },
      () => this.freeBuffer(gpa),
    );
    if (result === 'queued') this.#txSequence.set(flow, (sequence + 1) >>> 0);
    else this.freeBuffer(gpa);
    return result;
  }

  #postRxBuffer(): boolean {
    const gpa = this.allocateBuffer(RX_BUFFER_BYTES);
    if (gpa === undefined) return false;
    const result = this.submit(
      RX_QUEUE,
      [{cpuGpa: gpa, len: RX_BUFFER_BYTES, direction: 'from-device'}],
      (usedLength) => {
        this.#receive(gpa, usedLength);
        this.freeBuffer(gpa);
        this.#postRxBuffer();
      },
      () => this.freeBuffer(gpa),
      false,
    );
    if (result !== 'queued') {
      this.freeBuffer(gpa);
      if (result === 'retry')
        this.kernel.context.scheduler.after(1_000, () => this.isReady && this.#postRxBuffer());
      return false;
    }
    return true;
  }

  #receive(gpa: number, usedLength: number): void {
    if (usedLength <= NET_HEADER_BYTES) return;
    const frame = this.#scratch.subarray(0, usedLength - NET_HEADER_BYTES);
    this.kernel.view.read(gpa + NET_HEADER_BYTES, frame, 0, frame.length);
    const fields = decodeFrame(frame);
    if (!fields) {
      this.#integrityError('received frame has a bad checksum or length');
      return;
    }
    if (((fields.flow - this.#flowBase) & 0xffff) >= 16) return; // a reply to an earlier boot's flow
    this.completed++;
    const expected = this.#rxExpected.get(fields.flow) ?? 0;
    if (fields.sequence < expected)
      this.#integrityError(
        `flow ${fields.flow}: sequence ${fields.sequence} went back (expected ${expected})`,
      );
    else this.rxLost += fields.sequence - expected;
    this.#rxExpected.set(fields.flow, Math.max(expected, fields.sequence + 1));
  }

  #integrityError(message: string): void {
    this.integrityErrors++;
    this.kernel.context.emit(
      this.kernel.vm,
      'integrity',
      'error',
      `${this.driverName} ${this.backend.name}: ${message}`,
    );
  }
}
