import type {GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import {copyElement, type QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {NetFlowChecker} from '../checkers/net-flow-checker.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {emptyConfigSpace} from './config-space.js';
import type {DeviceMigrationState} from './migration-state.js';
import {decodeFrame, encodeFrame, FRAME_CRC_BYTES, FRAME_HEADER_BYTES} from './net-frame.js';
import {
  NET_HEADER_BYTES,
  NET_HEADER_NUM_BUFFERS,
  NET_RX_QUEUE,
  NET_TX_QUEUE,
  type NetMigrationState,
} from './net-protocol.js';

const TX_LATENCY_US = 10;
/** Round trip to the simulated peer behind the host's network. */
const PEER_RTT_US = 200;
/** Frames held for a guest that has posted no rx buffer (QEMU's net queue); more are dropped. */
const RX_BACKLOG_LIMIT = 128;

/**
 * virtio-net with a peer behind it: every frame the guest sends goes to the peer, which checks it
 * (checksum, per-flow sequence) and, when it asks for one, answers with a reply of the requested size.
 */
export class NetBackend extends VirtioBackend {
  readonly #rng: Rng;
  readonly #checker: NetFlowChecker;
  #rxPosted: QueueElement[] = [];
  #backlog: Buffer[] = [];

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory, checker: NetFlowChecker) {
    super(
      context,
      identity,
      memory,
      featureSet(VirtioFeature.netMac, VirtioFeature.netStatus),
      emptyConfigSpace('net'),
    );
    this.#rng = context.rng.fork(`${identity.vm}/net-peer`);
    this.#checker = checker;
  }

  get queueCount(): number {
    return 2;
  }

  protected override onReset(): void {
    this.#rxPosted = [];
    this.#backlog = [];
    this.#checker.resetPeer();
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    if (queueIndex === NET_RX_QUEUE) {
      this.#rxPosted.push(element);
      this.#drainBacklog();
      return;
    }
    if (queueIndex === NET_TX_QUEUE) {
      this.completeAt(NET_TX_QUEUE, element, this.context.scheduler.nowUs + TX_LATENCY_US, () => {
        this.#transmit(this.io.readOut(element, NET_HEADER_BYTES));
        return 0;
      });
    }
  }

  /** The peer receives a frame: checks it, and answers if asked to. */
  #transmit(frame: Buffer): void {
    const fields = decodeFrame(frame);
    if (!fields) {
      this.#integrityError('transmitted frame has a bad checksum or length');
      return;
    }
    const problem = this.#checker.checkSent(fields);
    if (problem) this.#integrityError(problem);
    if (fields.replyBytes > 0) {
      this.context.scheduler.after(PEER_RTT_US, () => this.#reply(fields.flow, fields.replyBytes));
    }
  }

  #reply(flow: number, replyBytes: number): void {
    if (this.isBroken || this.isDetached || this.status === 0) return;
    const sequence = this.#checker.nextReplySequence(flow);
    const payloadBytes = Math.max(0, replyBytes - FRAME_HEADER_BYTES - FRAME_CRC_BYTES);
    // From Node's shared slab (a fresh zeroed ArrayBuffer per reply cost microseconds); encodeFrame
    // writes every byte after the virtio-net header, which is zeroed here.
    const packet = Buffer.allocUnsafe(NET_HEADER_BYTES + FRAME_HEADER_BYTES + payloadBytes + FRAME_CRC_BYTES);
    packet.fill(0, 0, NET_HEADER_BYTES);
    packet.writeUInt16LE(1, NET_HEADER_NUM_BUFFERS);
    encodeFrame(
      packet,
      NET_HEADER_BYTES,
      {flow, sequence, payloadBytes, replyBytes: 0},
      this.#rng.int(0, 255),
    );
    if (this.#backlog.length >= RX_BACKLOG_LIMIT) return; // dropped, as a full net queue drops
    this.#backlog.push(packet);
    this.#drainBacklog();
  }

  #drainBacklog(): void {
    while (this.#backlog.length > 0 && this.#rxPosted.length > 0) {
      const packet = this.#backlog.shift()!;
      const element = this.#rxPosted.shift()!;
      this.completeAt(NET_RX_QUEUE, element, this.context.scheduler.nowUs, () =>
        this.io.writeIn(element, packet),
      );
    }
  }

  #integrityError(message: string): void {
    this.integrityErrors++;
    this.context.emit(this.identity.vm, 'integrity', 'error', `${this.name} (virtio-net) peer: ${message}`);
  }

  protected override saveDevice(): NetMigrationState {
    return {type: 'net', rxPosted: this.#rxPosted.map(copyElement), backlog: [...this.#backlog]};
  }

  protected override loadDevice(state: DeviceMigrationState): void {
    if (state.type !== 'net') return;
    this.#rxPosted = state.rxPosted.map((element) => this.adopt(NET_RX_QUEUE, element));
    this.#backlog = [...state.backlog];
  }
}
