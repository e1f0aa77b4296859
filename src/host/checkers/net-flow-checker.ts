import type {FrameFields} from '../virtio/net-frame.js';

/**
 * The check on a virtio-net link: the guest application numbers the frames of each flow, the
 * peer behind the host's network checks they arrive in order and numbers its replies, which the
 * guest checks in turn. Sequence numbers are 32-bit and wrap.
 */
export class NetFlowChecker {
  readonly #txSequence = new Map<number, number>();
  readonly #rxExpected = new Map<number, number>();
  readonly #peerExpected = new Map<number, number>();
  readonly #peerReplySequence = new Map<number, number>();

  // ---- the guest's side ----

  /** The sequence number of the flow's next frame; `commitSent` once it was queued. */
  nextSequence(flow: number): number {
    return this.#txSequence.get(flow) ?? 0;
  }

  commitSent(flow: number, sequence: number): void {
    this.#txSequence.set(flow, (sequence + 1) >>> 0);
  }

  /**
   * A reply the guest received. A gap is a lost frame (the host drops what no rx buffer takes),
   * not corruption.
   * @returns what is wrong, or undefined
   */
  checkReceived(fields: FrameFields): string | undefined {
    const expected = this.#rxExpected.get(fields.flow) ?? 0;
    this.#rxExpected.set(fields.flow, Math.max(expected, fields.sequence + 1));
    return fields.sequence < expected
      ? `flow ${fields.flow}: sequence ${fields.sequence} went back (expected ${expected})`
      : undefined;
  }

  /** A new driver instance (a boot) starts its flows afresh. */
  resetGuest(): void {
    this.#txSequence.clear();
    this.#rxExpected.clear();
  }

  // ---- the peer's side ----

  /**
   * A frame the peer received from the guest.
   * @returns what is wrong, or undefined
   */
  checkSent(fields: FrameFields): string | undefined {
    const expected = this.#peerExpected.get(fields.flow) ?? 0;
    this.#peerExpected.set(fields.flow, (fields.sequence + 1) >>> 0);
    return fields.sequence === expected
      ? undefined
      : `flow ${fields.flow}: sequence ${fields.sequence}, expected ${expected}`;
  }

  /** The sequence number of the peer's next reply on a flow. */
  nextReplySequence(flow: number): number {
    const sequence = this.#peerReplySequence.get(flow) ?? 0;
    this.#peerReplySequence.set(flow, (sequence + 1) >>> 0);
    return sequence;
  }

  /** The device was reset: the link starts again. */
  resetPeer(): void {
    this.#peerExpected.clear();
    this.#peerReplySequence.clear();
  }
}
