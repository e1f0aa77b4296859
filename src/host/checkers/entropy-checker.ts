import {crc32Bytes} from '../../core/crc32.js';

/** CRCs remembered for buffers the guest has not read yet; more than a queue's worth means a leak. */
const SENT_CRCS_LIMIT = 4096;

/**
 * The check on virtio-rng: the CRC of every buffer the device filled, in order, so the guest can
 * tell the bytes it got are the bytes sent (the device completes requests in order).
 */
export class EntropyChecker {
  readonly #sentCrcs: number[] = [];

  /** The device filled a buffer with `bytes`. */
  recordSent(bytes: Uint8Array): void {
    this.#sentCrcs.push(crc32Bytes(bytes));
    if (this.#sentCrcs.length > SENT_CRCS_LIMIT) this.#sentCrcs.shift();
  }

  /** @returns whether `bytes`, as the guest read them, are the next buffer the device sent */
  checkReceived(bytes: Uint8Array): boolean {
    return this.#sentCrcs.shift() === crc32Bytes(bytes);
  }

  /** The device was reset: what it sent before is gone with its queue. */
  reset(): void {
    this.#sentCrcs.length = 0;
  }
}
