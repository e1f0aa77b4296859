/** Elements a split virtqueue's device side hands out (QEMU's VirtQueueElement), pooled per queue. */

/** A guest-physical range the device reads (out) or writes (in). */
export interface DeviceSegment {
  readonly addr: number;
  readonly len: number;
}

/** One popped request (QEMU's VirtQueueElement). */
export interface QueueElement {
  readonly head: number;
  readonly out: DeviceSegment[];
  readonly in: DeviceSegment[];
}

interface MutableSegment {
  addr: number;
  len: number;
}

/**
 * An element a queue hands out again once the device has pushed it back (QEMU allocates one per
 * pop): its segment objects stay with it. Whoever keeps an element past its push, or hands it
 * to another queue (migration), keeps a copy (`copyElement`), never the element itself.
 */
export class PooledElement implements QueueElement {
  head = 0;
  readonly out: MutableSegment[] = [];
  readonly in: MutableSegment[] = [];
  readonly #segments: MutableSegment[] = [];
  readonly #owner: object;
  constructor(owner: object) {
    this.#owner = owner;
  }

  belongsTo(queue: object): boolean {
    return this.#owner === queue;
  }

  /** The element's `index`th segment object, made on first use. */
  segment(index: number): MutableSegment {
    let segment = this.#segments[index];
    if (!segment) {
      segment = {addr: 0, len: 0};
      this.#segments[index] = segment;
    }
    return segment;
  }

  /** Fills `to` (this element's out or in) with its own segment objects holding `from`'s buffers. */
  copySegments(from: readonly DeviceSegment[], to: MutableSegment[], firstSegment: number): void {
    for (let i = 0; i < from.length; i++) {
      const segment = this.segment(firstSegment + i);
      segment.addr = from[i]!.addr;
      segment.len = from[i]!.len;
      to[i] = segment;
    }
    to.length = from.length;
  }
}

/** An element as plain data, apart from any queue's pool (for migration state). */
export function copyElement(element: QueueElement): QueueElement {
  return {
    head: element.head,
    out: element.out.map((segment) => ({addr: segment.addr, len: segment.len})),
    in: element.in.map((segment) => ({addr: segment.addr, len: segment.len})),
  };
}
