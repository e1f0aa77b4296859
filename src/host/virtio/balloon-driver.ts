import {assert} from '../../core/assert.js';
import {featureSet, VirtioFeature, withoutFeature, type FeatureSet} from '../../core/virtio.js';
import {
  BALLOON_DEFLATE_QUEUE,
  BALLOON_F_PAGE_POISON,
  BALLOON_INFLATE_QUEUE,
  BALLOON_PFNS_PER_REQUEST,
  type BalloonConfig,
} from './balloon-protocol.js';
import {balloonConfigSpace, type ConfigSpace} from './config-space.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
import type {VirtioPciTransport} from './transport.js';

/**
 * `virtballoon_validate`: the balloon hands the host guest-physical page numbers, so it always
 * clears ACCESS_PLATFORM (torvalds/linux drivers/virtio/virtio_balloon.c); QEMU then refuses
 * FEATURES_OK when the device offered it (`acceptsFeaturesOk`). It clears PAGE_POISON too when
 * the kernel neither poisons nor zeroes freed pages (no init_on_free or page_poison=1), the default.
 */
export function validateBalloonFeatures(features: FeatureSet): FeatureSet {
  return withoutFeature(withoutFeature(features, VirtioFeature.accessPlatform), BALLOON_F_PAGE_POISON);
}

/** Retry after the driver could not queue a request (its buffer memory or the ring was full). */
const RETRY_DELAY_US = 10_000;
const PFN_BYTES = 4;

/** Where the balloon may take guest pages from: a range of 4 KiB page numbers, used top down. */
export interface BalloonPageRange {
  readonly lowestPfn: number;
  readonly highestPfn: number;
}

/**
 * virtio_balloon: follows the host's target (config `num_pages`) by handing 4 KiB pages over
 * (inflate) or taking them back (deflate), 256 PFNs per request, and reports its size in config
 * `actual`. Its validate step clears ACCESS_PLATFORM (`validateBalloonFeatures`), so under
 * restricted memory access a secure guest refuses it, and a device that offers ACCESS_PLATFORM
 * refuses the driver. The pages it holds are always the top of its
 * range, so its state is one count whatever the balloon's size.
 */
export class BalloonDriver extends VirtioDriver {
  readonly #range: BalloonPageRange;
  readonly #config: ConfigSpace<BalloonConfig>;
  /** Pages in the balloon: the top `#inflatedPages` pages of the range. */
  #inflatedPages = 0;
  #isBusy = false;

  constructor(kernel: KernelServices, transport: VirtioPciTransport, range: BalloonPageRange) {
    super(kernel, transport, 'virtio_balloon');
    this.#range = range;
    this.#config = balloonConfigSpace(transport.config);
  }

  /** Of the driver's feature table, the ones svmtop's balloon implements (no stats queue). */
  protected get supportedFeatures(): FeatureSet {
    return featureSet(VirtioFeature.balloonMustTellHost, BALLOON_F_PAGE_POISON);
  }

  protected get arenaBytes(): number {
    return 64 * 1024;
  }

  /** The most pages the balloon could hold in this guest. */
  get capacityPages(): number {
    return this.#range.highestPfn - this.#range.lowestPfn + 1;
  }

  protected override validate(features: FeatureSet): FeatureSet {
    return validateBalloonFeatures(features);
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
    if (this.#isBusy || !this.isReady || this.isBroken) return;
    const target = Math.min(this.#config.read('numPages'), this.capacityPages);
    const difference = target - this.#inflatedPages;
    if (difference === 0) return;
    const count = Math.min(Math.abs(difference), BALLOON_PFNS_PER_REQUEST);
    const isInflate = difference > 0;
    const gpa = this.#writePfns(isInflate, count);
    if (gpa === undefined) return;
    this.#isBusy = true;
    const release = (): void => {
      this.core.free(gpa);
      this.#isBusy = false;
    };
    const result = this.submit(
      isInflate ? BALLOON_INFLATE_QUEUE : BALLOON_DEFLATE_QUEUE,
      [{cpuGpa: gpa, len: count * PFN_BYTES, direction: 'to-device'}],
      () => {
        this.core.completed++;
        this.#inflatedPages += isInflate ? count : -count;
        assert(
          this.#inflatedPages >= 0 && this.#inflatedPages <= this.capacityPages,
          `${this.core.label}: ${this.#inflatedPages} pages ballooned, outside 0..${this.capacityPages}`,
        );
        this.#config.write('actual', this.#inflatedPages);
        release();
        this.#update();
      },
      release,
    );
    if (result === 'queued') return;
    release();
    if (result === 'retry') this.kernel.guestTimer(RETRY_DELAY_US, () => this.#update());
  }

  /**
   * Writes the PFN array of one request into a driver buffer: the next `count` pages below those
   * held (inflate), or the lowest `count` pages held (deflate), highest first.
   * @returns the buffer's address, or undefined when the driver's buffer memory is exhausted
   */
  #writePfns(isInflate: boolean, count: number): number | undefined {
    const gpa = this.core.allocate(count * PFN_BYTES);
    if (gpa === undefined) return undefined;
    const first = this.#range.highestPfn - this.#inflatedPages + (isInflate ? 0 : count);
    const array = Buffer.allocUnsafe(count * PFN_BYTES);
    for (let i = 0; i < count; i++) array.writeUInt32LE(first - i, i * PFN_BYTES);
    this.kernel.view.write(gpa, array, 0, array.length);
    return gpa;
  }
}
