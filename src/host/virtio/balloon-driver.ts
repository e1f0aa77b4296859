import {featureSet, VirtioFeature, withoutFeature, type FeatureSet} from '../../core/virtio.js';
import {BALLOON_PAGE_BYTES, type BalloonBackend} from './balloon-backend.js';
import {VirtioDriver, type KernelServices} from './driver.js';
import type {VirtioBackend} from './backend.js';

const INFLATE_QUEUE = 0;
const DEFLATE_QUEUE = 1;
/** VIRTIO_BALLOON_ARRAY_PFNS_MAX: PFNs per request. */
const PFNS_PER_REQUEST = 256;

/** Where the balloon may take guest pages from: a range of 4 KiB page numbers, used top down. */
export interface BalloonPageRange {
  readonly lowestPfn: number;
  readonly highestPfn: number;
}

/**
 * virtio_balloon: follows the host's target by handing 4 KiB pages over (inflate) or taking them
 * back (deflate), 256 PFNs per request. Its validate step clears ACCESS_PLATFORM
 * (`virtballoon_validate`), so under the restricted policy a secure guest refuses it.
 */
export class BalloonDriver extends VirtioDriver {
  /** PFNs currently in the balloon (taken from the top of guest memory down). */
  readonly #pages: number[] = [];
  readonly #range: BalloonPageRange;
  #isBusy = false;

  constructor(kernel: KernelServices, backend: VirtioBackend, range: BalloonPageRange) {
    super(kernel, backend);
    this.#range = range;
  }

  get driverName(): string {
    return 'virtio_balloon';
  }

  protected get supportedFeatures(): FeatureSet {
    return featureSet(VirtioFeature.balloonMustTellHost);
  }

  get pageCount(): number {
    return this.#pages.length;
  }

  /** The most pages the balloon could hold in this guest. */
  get capacityPages(): number {
    return this.#range.highestPfn - this.#range.lowestPfn + 1;
  }

  protected override validate(features: FeatureSet): FeatureSet {
    return withoutFeature(features, VirtioFeature.accessPlatform);
  }

  protected override onStart(): void {
    this.#update();
  }

  protected override onConfigChange(): void {
    super.onConfigChange();
    this.#update();
  }

  /** `update_balloon_size_func`: one request toward the target, then another when it completes. */
  #update(): void {
    const backend = this.backend as BalloonBackend;
    if (this.#isBusy || !this.isReady || this.isBroken) return;
    const target = Math.min(backend.targetPages, this.capacityPages);
    const difference = target - this.#pages.length;
    if (difference === 0) return;
    const count = Math.min(Math.abs(difference), PFNS_PER_REQUEST);
    const isInflate = difference > 0;
    const pfns = isInflate ? this.#takePages(count) : this.#pages.slice(this.#pages.length - count);
    const gpa = this.allocateBuffer(count * 4);
    if (gpa === undefined) return;
    const array = Buffer.allocUnsafe(count * 4);
    pfns.forEach((pfn, index) => array.writeUInt32LE(pfn, index * 4));
    this.kernel.view.write(gpa, array, 0, array.length);
    this.#isBusy = true;
    const result = this.submit(
      isInflate ? INFLATE_QUEUE : DEFLATE_QUEUE,
      [{cpuGpa: gpa, len: array.length, direction: 'to-device'}],
      () => {
        this.completed++;
        if (isInflate) this.#pages.push(...pfns);
        else this.#pages.length -= count;
        backend.actualPages = this.#pages.length;
        this.freeBuffer(gpa);
        this.#isBusy = false;
        this.#update();
      },
      () => {
        this.freeBuffer(gpa);
        this.#isBusy = false;
      },
    );
    if (result !== 'queued') {
      this.freeBuffer(gpa);
      this.#isBusy = false;
      if (result === 'retry') this.kernel.context.scheduler.after(10_000, () => this.#update());
    }
  }

  #takePages(count: number): number[] {
    const pfns: number[] = [];
    const next = this.#range.highestPfn - this.#pages.length;
    for (let i = 0; i < count; i++) pfns.push(next - i);
    return pfns;
  }

  /** Bytes in the balloon. */
  get actualBytes(): number {
    return this.#pages.length * BALLOON_PAGE_BYTES;
  }
}

export type {KernelServices};
