import type {GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import type {EntropyChecker} from '../checkers/entropy-checker.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {emptyConfigSpace} from './config-space.js';
import type {RngMigrationState} from './rng-protocol.js';

const RNG_LATENCY_US = 50;

/**
 * virtio-rng backed by the host's entropy (the world's seeded generator). What it sends is
 * recorded by the guest's entropy checker, so the guest can check the bytes it got.
 */
export class RngBackend extends VirtioBackend {
  readonly #rng: Rng;
  readonly #checker: EntropyChecker;

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory, checker: EntropyChecker) {
    super(context, identity, memory, 0n, emptyConfigSpace('rng'));
    this.#rng = context.rng.fork(`${identity.vm}/entropy`);
    this.#checker = checker;
  }

  get queueCount(): number {
    return 1;
  }

  /** qemu/qemu hw/virtio/virtio-rng.c `virtio_rng_process` → `get_request_size` → `virtqueue_get_avail_bytes`. */
  protected override get walksAvailBytesFirst(): boolean {
    return true;
  }

  protected override onReset(): void {
    this.#checker.reset();
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + RNG_LATENCY_US, this.#fill);
  }

  /** One function for the device's life, not a closure per request (src/views/column-layout.ts says why). */
  readonly #fill = (element: QueueElement): number => {
    let length = 0;
    for (const segment of element.in) length += segment.len;
    const bytes = Buffer.allocUnsafe(length);
    this.#rng.fillBytes(bytes);
    const written = this.io.writeIn(element, bytes);
    this.#checker.recordSent(bytes.subarray(0, written));
    return written;
  };

  protected override saveDevice(): RngMigrationState {
    return {type: 'rng'};
  }

  protected override loadDevice(): void {}
}
