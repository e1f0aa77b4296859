import type {GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_CRC_BYTES,
  NET_HEADER_BYTES,
} from './net-frame.js';

const RX_QUEUE = 0;
const TX_QUEUE = 1;
const TX_LATENCY_US = 10;
/** Round trip to the simulated peer behind the host's network. */
const PEER_RTT_US = 200;
/** Frames held for a guest that has posted no rx buffer (QEMU's net queue); more are dropped. */
const RX_BACKLOG_LIMIT = 128;

interface NetExtra {
  readonly rxPosted: QueueElement[];
  readonly backlog: Buffer[];
  readonly expectedTx: [number, number][];
  readonly replySequence: [number, number][];
}

/**
 * virtio-net with a peer behind it: every frame the guest sends is checked (checksum, per-flow
 * sequence) and, when it asks for one, answered with a reply of the requested size.
 */
export class NetBackend extends VirtioBackend {
  rxDroppedByHost = 0;
  readonly #rng: Rng;
  #rxPosted: QueueElement[] = [];
  #backlog: Buffer[] = [];
  #expectedTx = new Map<number, number>();
  #replySequence = new Map<number, number>();

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory) {
    super(context, identity, memory, featureSet(VirtioFeature.netMac, VirtioFeature.netStatus));
    this.#rng = context.rng.fork(`${identity.vm}/net-peer`);
  }

  get queueCount(): number {
    return 2;
  }

  protected override onReset(): void {
    this.#rxPosted = [];
    this.#backlog = [];
    this.#expectedTx.clear();
    this.#replySequence.clear();
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    if (queueIndex === RX_QUEUE) {
      this.#rxPosted.push(element);
      this.#drainBacklog();
      return;
    }
    if (queueIndex === TX_QUEUE) {
      this.completeAt(TX_QUEUE, element, this.context.scheduler.nowUs + TX_LATENCY_US, () => {
        this.#transmit(this.readOut(element, NET_HEADER_BYTES));
        return 0;
      });
    }
  }

  #transmit(frame: Buffer): void {
    const fields = decodeFrame(frame);
    if (!fields) {
      this.#integrityError('transmitted frame has a bad checksum or length');
      return;
    }
    const expected = this.#expectedTx.get(fields.flow) ?? 0;
    if (fields.sequence !== expected)
      this.#integrityError(`flow ${fields.flow}: sequence ${fields.sequence}, expected ${expected}`);
    this.#expectedTx.set(fields.flow, (fields.sequence + 1) >>> 0);
    if (fields.replyBytes > 0) {
      this.context.scheduler.after(PEER_RTT_US, () => this.#reply(fields.flow, fields.replyBytes));
    }
  }

  #reply(flow: number, replyBytes: number): void {
    if (this.isBroken || this.isDetached || this.status === 0) return;
    const sequence = this.#replySequence.get(flow) ?? 0;
    this.#replySequence.set(flow, (sequence + 1) >>> 0);
    const payloadBytes = Math.max(0, replyBytes - FRAME_HEADER_BYTES - FRAME_CRC_BYTES);
    // From Node's shared slab (a fresh zeroed ArrayBuffer per reply cost microseconds); encodeFrame
    // writes every byte after the virtio-net header, which is zeroed here.
    const packet = Buffer.allocUnsafe(NET_HEADER_BYTES + FRAME_HEADER_BYTES + payloadBytes + FRAME_CRC_BYTES);
    packet.fill(0, 0, NET_HEADER_BYTES);
    packet.writeUInt16LE(1, 10); // num_buffers
    encodeFrame(
      packet,
      NET_HEADER_BYTES,
      {flow, sequence, payloadBytes, replyBytes: 0},
      this.#rng.int(0, 255),
    );
    if (this.#backlog.length >= RX_BACKLOG_LIMIT) {
      this.rxDroppedByHost++;
      return;
    }
    this.#backlog.push(packet);
    this.#drainBacklog();
  }

  #drainBacklog(): void {
    while (this.#backlog.length > 0 && this.#rxPosted.length > 0) {
      const packet = this.#backlog.shift()!;
      const element = this.#rxPosted.shift()!;
      this.completeAt(RX_QUEUE, element, this.context.scheduler.nowUs, () => this.writeIn(element, packet));
    }
  }

  #integrityError(message: string): void {
    this.integrityErrors++;
    this.context.emit(this.identity.vm, 'integrity', 'error', `${this.name} (virtio-net) peer: ${message}`);
  }

  protected override saveExtra(): NetExtra {
    return {
      rxPosted: [...this.#rxPosted],
      backlog: [...this.#backlog],
      expectedTx: [...this.#expectedTx],
      replySequence: [...this.#replySequence],
    };
  }

  protected override loadExtra(extra: unknown): void {
    const state = extra as NetExtra;
    this.#rxPosted = [...state.rxPosted];
    this.#backlog = [...state.backlog];
    this.#expectedTx = new Map(state.expectedTx);
    this.#replySequence = new Map(state.replySequence);
  }
}
