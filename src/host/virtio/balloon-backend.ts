import type {GuestMemory} from '../../core/guest-memory.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';

/** virtio-balloon works in 4 KiB pages whatever the guest's page size (VIRTIO_BALLOON_PFN_SHIFT 12). */
export const BALLOON_PAGE_BYTES = 4096;
const INFLATE_QUEUE = 0;
const DEFLATE_QUEUE = 1;
const BALLOON_LATENCY_US = 100;

/**
 * QEMU's virtio-balloon: the host sets a target (`num_pages`), the guest reports `actual` and
 * hands pages over on the inflate queue. Each inflated page is given back to the host
 * (`ram_block_discard_range`) unless discards are inhibited, as they are for a protected VM.
 */
export class BalloonBackend extends VirtioBackend {
  /** Host's target, in balloon pages (config `num_pages`); survives guest resets, as in QEMU. */
  targetPages = 0;
  /** Guest-reported balloon size (config `actual`). */
  actualPages = 0;
  /** Pages whose memory the host really got back. */
  reclaimedPages = 0;
  /** Pages handed over but not reclaimed (the VM is protected). */
  unreclaimedPages = 0;
  readonly #isDiscardInhibited: () => boolean;

  constructor(
    context: SimContext,
    identity: BackendIdentity,
    memory: GuestMemory,
    isDiscardInhibited: () => boolean,
  ) {
    super(context, identity, memory, featureSet(VirtioFeature.balloonMustTellHost));
    this.#isDiscardInhibited = isDiscardInhibited;
  }

  get queueCount(): number {
    return 2;
  }

  get reclaimedBytes(): number {
    return this.reclaimedPages * BALLOON_PAGE_BYTES;
  }

  protected override onReset(): void {
    // A reset guest starts with every page; whatever was discarded is refaulted on demand.
    this.actualPages = 0;
    this.reclaimedPages = 0;
    this.unreclaimedPages = 0;
  }

  /** The host changes the target and raises a config interrupt (the `balloon` monitor command). */
  setTarget(pages: number): void {
    this.targetPages = pages;
    if (!this.isBroken && this.onConfigChange) this.context.scheduler.after(5, () => this.onConfigChange?.());
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + BALLOON_LATENCY_US, () => {
      const array = this.readOut(element);
      const count = Math.floor(array.length / 4);
      if (queueIndex === INFLATE_QUEUE) this.#inflate(count);
      else if (queueIndex === DEFLATE_QUEUE) this.#deflate(count);
      return 0;
    });
  }

  #inflate(pages: number): void {
    if (this.#isDiscardInhibited()) this.unreclaimedPages += pages;
    else this.reclaimedPages += pages;
  }

  #deflate(pages: number): void {
    const fromUnreclaimed = Math.min(pages, this.unreclaimedPages);
    this.unreclaimedPages -= fromUnreclaimed;
    this.reclaimedPages = Math.max(0, this.reclaimedPages - (pages - fromUnreclaimed));
  }

  protected override saveExtra(): unknown {
    return {
      targetPages: this.targetPages,
      actualPages: this.actualPages,
      reclaimedPages: this.reclaimedPages,
      unreclaimedPages: this.unreclaimedPages,
    };
  }

  protected override loadExtra(extra: unknown): void {
    Object.assign(this, extra as object);
  }
}
