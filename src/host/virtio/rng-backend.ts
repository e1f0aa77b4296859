import {crc32} from 'node:zlib';
import type {GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';

const RNG_LATENCY_US = 50;

/**
 * virtio-rng backed by the host's entropy (the world's seeded generator). It records the CRC of
 * each buffer it fills, in order, so the guest can check the bytes it got are the bytes sent.
 */
export class RngBackend extends VirtioBackend {
  /** CRCs of filled buffers in completion order: an oracle for end-to-end checks. */
  readonly filledCrcs: number[] = [];
  readonly #rng: Rng;

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory) {
    super(context, identity, memory, 0n);
    this.#rng = context.rng.fork(`${identity.vm}/entropy`);
  }

  get queueCount(): number {
    return 1;
  }

  protected override onReset(): void {
    this.filledCrcs.length = 0;
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    const length = element.in.reduce((sum, segment) => sum + segment.len, 0);
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + RNG_LATENCY_US, () => {
      const bytes = Buffer.allocUnsafe(length);
      this.#rng.fillBytes(bytes);
      const written = this.writeIn(element, bytes);
      this.filledCrcs.push(crc32(bytes.subarray(0, written)));
      if (this.filledCrcs.length > 4096) this.filledCrcs.shift();
      return written;
    });
  }

  protected override saveExtra(): unknown {
    return [...this.filledCrcs];
  }

  protected override loadExtra(extra: unknown): void {
    this.filledCrcs.splice(0, this.filledCrcs.length, ...(extra as number[]));
  }
}
