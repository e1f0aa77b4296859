import {assert, invariantBroken} from '../../core/assert.js';
import {fillBytes} from '../../core/copy-bytes.js';
import type {GuestMemory} from '../../core/guest-memory.js';
import {putU16} from '../../core/little-endian.js';
import type {Rng} from '../../core/rng.js';
import {ScheduledTask} from '../../core/scheduler.js';
import {copyElement, type QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {NetFlowChecker} from '../checkers/net-flow-checker.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {emptyConfigSpace} from './config-space.js';
import type {DeviceMigrationState} from './migration-state.js';
import {
  decodedFrame,
  decodeFrame,
  encodeFrame,
  FRAME_CHECK_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_MAX_BYTES,
} from './net-frame.js';
import {
  NET_BUFSIZE_BYTES,
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
/** Every reply's buffer: the virtio-net header and the largest frame (the peer sends no larger one). */
const RX_PACKET_BYTES = NET_HEADER_BYTES + FRAME_MAX_BYTES;

/**
 * A reply held for the guest: a buffer from the pool (all of one size), how much of it the packet
 * fills, and its delivery into an rx element, which its element's completion runs.
 */
interface RxPacket {
  readonly bytes: Buffer;
  length: number;
  readonly deliver: (element: QueueElement) => number;
}

/** The peer's reply to one frame, due a round trip after it (reused once it ran). */
class PeerReply extends ScheduledTask {
  flow = 0;
  replyBytes = 0;
  constructor(readonly send: (reply: PeerReply) => void) {
    super();
  }

  run(): void {
    this.send(this);
  }
}

/**
 * virtio-net with a peer behind it: every frame the guest sends goes to the peer, which checks it
 * (checksum, per-flow sequence) and, when it asks for one, answers with a reply of the requested size
 * (one Ethernet frame at most, as a real peer's). Replies, their timers and the frame read from the guest come from pools, so a frame allocates
 * nothing in the steady state.
 */
export class NetBackend extends VirtioBackend {
  readonly #rng: Rng;
  readonly #checker: NetFlowChecker;
  #rxPosted: QueueElement[] = [];
  #backlog: RxPacket[] = [];
  /** Packets handed to an rx buffer whose completion has not run yet, oldest first (saved with the backlog). */
  #delivering: RxPacket[] = [];
  /** Bounded by what was ever held at once: the backlog (RX_BACKLOG_LIMIT) and the rx buffers being filled. */
  readonly #sparePackets: RxPacket[] = [];
  readonly #spareReplies: PeerReply[] = [];
  readonly #sent = decodedFrame();
  /** The fields of the reply `#reply` encodes (one object, not one per reply). */
  readonly #replying = decodedFrame();

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
    this.#delivering = [];
    this.#checker.resetPeer();
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    if (queueIndex === NET_RX_QUEUE) {
      this.#rxPosted.push(element);
      this.#drainBacklog();
      return;
    }
    if (queueIndex === NET_TX_QUEUE)
      this.completeAt(
        NET_TX_QUEUE,
        element,
        this.context.scheduler.nowUs + TX_LATENCY_US,
        this.#transmitWork,
      );
  }

  readonly #transmitWork = (element: QueueElement): number => {
    this.#transmit(this.io.readOut(element, NET_HEADER_BYTES, NET_BUFSIZE_BYTES));
    return 0;
  };

  /** The peer receives the frame `readOut` read: checks it, and answers if asked to. */
  #transmit(length: number): void {
    const fields = this.#sent;
    if (!decodeFrame(this.io.scratch, 0, length, fields)) {
      this.#integrityError('transmitted frame has a bad checksum or length');
      return;
    }
    const problem = this.#checker.checkSent(fields);
    if (problem) this.#integrityError(problem);
    if (fields.replyBytes > 0) {
      const reply = this.#spareReplies.pop() ?? new PeerReply(this.#replyDue);
      reply.flow = fields.flow;
      reply.replyBytes = fields.replyBytes;
      this.context.scheduler.schedule(reply, this.context.scheduler.nowUs + PEER_RTT_US);
    }
  }

  readonly #replyDue = (reply: PeerReply): void => {
    const {flow, replyBytes} = reply;
    this.#spareReplies.push(reply);
    this.#reply(flow, replyBytes);
  };

  #reply(flow: number, replyBytes: number): void {
    if (this.isBroken || this.isDetached || this.status === 0) return;
    const sequence = this.#checker.nextReplySequence(flow);
    const replyFrameBytes = Math.min(replyBytes, FRAME_MAX_BYTES);
    const payloadBytes = Math.max(0, replyFrameBytes - FRAME_HEADER_BYTES - FRAME_CHECK_BYTES);
    const fillByte = this.#rng.int(0, 255);
    if (this.#backlog.length >= RX_BACKLOG_LIMIT) return; // dropped, as a full net queue drops
    const packet = this.#takePacket(NET_HEADER_BYTES + FRAME_HEADER_BYTES + payloadBytes + FRAME_CHECK_BYTES);
    fillBytes(packet.bytes, 0, 0, NET_HEADER_BYTES);
    putU16(packet.bytes, NET_HEADER_NUM_BUFFERS, 1);
    const fields = this.#replying;
    fields.flow = flow;
    fields.sequence = sequence;
    fields.payloadBytes = payloadBytes;
    fields.replyBytes = 0;
    encodeFrame(packet.bytes, NET_HEADER_BYTES, fields, fillByte);
    this.#backlog.push(packet);
    this.#drainBacklog();
  }

  /** A packet of `length` bytes (at most RX_PACKET_BYTES) in a buffer from the pool. */
  #takePacket(length: number): RxPacket {
    const packet = this.#sparePackets.pop() ?? this.#newPacket();
    packet.length = length;
    return packet;
  }

  #newPacket(): RxPacket {
    const packet: RxPacket = {
      bytes: Buffer.allocUnsafe(RX_PACKET_BYTES),
      length: 0,
      deliver: (element) => {
        const written = this.io.writeIn(element, packet.bytes, packet.length);
        this.#delivered(packet);
        this.#sparePackets.push(packet);
        return written;
      },
    };
    return packet;
  }

  /** Deliveries complete in the order they were scheduled: the packet is nearly always the first. */
  #delivered(packet: RxPacket): void {
    const delivering = this.#delivering;
    if (delivering[0] === packet) {
      delivering.shift();
      return;
    }
    const index = delivering.indexOf(packet);
    if (index < 0) invariantBroken(`${this.name}: an rx packet delivered twice`);
    delivering.splice(index, 1);
  }

  #drainBacklog(): void {
    while (this.#backlog.length > 0 && this.#rxPosted.length > 0) {
      const packet = this.#backlog.shift()!;
      const element = this.#rxPosted.shift()!;
      this.#delivering.push(packet);
      this.completeAt(NET_RX_QUEUE, element, this.context.scheduler.nowUs, packet.deliver);
    }
  }

  #integrityError(message: string): void {
    this.integrityErrors++;
    this.context.emit(this.identity.vm, 'integrity', 'error', `${this.name} (virtio-net) peer: ${message}`);
  }

  protected override saveDevice(): NetMigrationState {
    // A packet being delivered is saved ahead of the backlog: its rx element is saved as pending
    // and offered again on the target, where the packet goes into an rx buffer anew.
    // Copies: the packets go back to the pool once delivered, and a saved state may outlive that.
    const backlog = [...this.#delivering, ...this.#backlog].map((packet) =>
      Buffer.from(packet.bytes.subarray(0, packet.length)),
    );
    return {type: 'net', rxPosted: this.#rxPosted.map(copyElement), backlog};
  }

  protected override loadDevice(state: DeviceMigrationState): void {
    if (state.type !== 'net') return;
    this.#rxPosted = state.rxPosted.map((element) => this.adopt(NET_RX_QUEUE, element));
    this.#backlog = state.backlog.map((saved) => {
      assert(saved.length <= RX_PACKET_BYTES, `${this.name}: a saved reply of ${saved.length} bytes`);
      const packet = this.#takePacket(saved.length);
      saved.copy(packet.bytes, 0, 0, saved.length);
      return packet;
    });
  }
}
