import {GUEST_PAGE_SIZE, PageState, type GuestMemory, type PageStateCode} from '../../core/guest-memory.js';
import type {PageSink} from '../../core/memory-view.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet} from '../../core/virtio.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {
  BALLOON_DEFLATE_QUEUE,
  BALLOON_F_PAGE_POISON,
  BALLOON_INFLATE_QUEUE,
  BALLOON_PAGE_BYTES,
  type BalloonConfig,
  type BalloonMigrationState,
} from './balloon-protocol.js';
import {ConfigSpace} from './config-space.js';
import type {DeviceMigrationState} from './migration-state.js';

const BALLOON_LATENCY_US = 100;
/** From the host's target change to the config interrupt. */
const CONFIG_CHANGE_LATENCY_US = 5;

/**
 * QEMU's virtio-balloon: the host sets a target (config `num_pages`), the guest reports `actual`
 * in the config space and hands pages over on the inflate queue, and QEMU discards each one
 * (`balloon_inflate_page` → `ram_block_discard_range`). It skips the discard only while
 * `virtio_balloon_inhibited()`: RAM discard disabled, an incoming postcopy or a background
 * snapshot (qemu/qemu hw/virtio/virtio-balloon.c). s390 PV, SEV and TDX disable RAM discard; PEF
 * does not, and svmtop has neither postcopy nor snapshots, so here QEMU always discards. What the
 * discard gives the host depends on the page (`discardGivesRam`).
 */
export class BalloonBackend extends VirtioBackend {
  /** Pages whose memory the host really got back. */
  reclaimedPages = 0;
  /** Pages discarded that gave the host nothing (they were secure). */
  unreclaimedPages = 0;
  #actualPages = 0;
  readonly #config: ConfigSpace<BalloonConfig>;
  #isInflating = false;
  /**
   * Pages of guest RAM the chain being read has named so far, and what discarding them gave
   * (counted once it was read whole).
   */
  #pagesInRam = 0;
  #chainReclaimed = 0;
  /** A PFN split across two segments: its low bytes so far, and how many. */
  #partialPfn = 0;
  #partialPfnBytes = 0;
  readonly #pfnSink: PageSink = {
    put: (bytes, offset, length) => {
      let at = offset;
      const end = offset + length;
      while (at < end && this.#partialPfnBytes > 0) this.#takePfnByte(bytes[at++]!);
      for (; at + 4 <= end; at += 4) this.#takePfn(bytes.readUInt32LE(at));
      while (at < end) this.#takePfnByte(bytes[at++]!);
    },
  };

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory) {
    const config = new ConfigSpace<BalloonConfig>({numPages: 0, actual: 0}, ['actual']);
    // QEMU 7.2 offers PAGE_POISON (on by default) and STATS_VQ, never MUST_TELL_HOST (qemu/qemu
    // hw/virtio/virtio-balloon.c virtio_balloon_properties, virtio_balloon_get_features); svmtop
    // has no stats queue, so it offers PAGE_POISON alone, on its inflate and deflate queues.
    super(context, identity, memory, featureSet(BALLOON_F_PAGE_POISON), {
      type: 'balloon',
      space: config,
    });
    this.#config = config;
    // `virtio_balloon_set_config`: the device learns the guest's balloon size from `actual`.
    config.onDriverWrite(() => (this.#actualPages = config.read('actual')));
  }

  get queueCount(): number {
    return 2;
  }

  /** Host's target, in balloon pages (config `num_pages`); survives guest resets, as in QEMU. */
  get targetPages(): number {
    return this.#config.read('numPages');
  }

  /** Guest-reported balloon size (config `actual`, as the device last heard it). */
  get actualPages(): number {
    return this.#actualPages;
  }

  get reclaimedBytes(): number {
    return this.reclaimedPages * BALLOON_PAGE_BYTES;
  }

  protected override onReset(): void {
    // A reset guest starts with every page; whatever was discarded is refaulted on demand.
    this.#actualPages = 0;
    this.#config.set('actual', 0);
    this.reclaimedPages = 0;
    this.unreclaimedPages = 0;
  }

  /** The host changes the target and raises a config interrupt (the `balloon` monitor command). */
  setTarget(pages: number): void {
    this.#config.set('numPages', pages);
    if (!this.isBroken)
      this.context.scheduler.after(CONFIG_CHANGE_LATENCY_US, () => this.transport.interruptConfig());
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + BALLOON_LATENCY_US, () => {
      // Every PFN to the chain's end (qemu/qemu hw/virtio/virtio-balloon.c
      // virtio_balloon_handle_output: iov_to_buf 4 bytes at a time while 4 come): no bound.
      this.#isInflating = queueIndex === BALLOON_INFLATE_QUEUE;
      this.#pagesInRam = 0;
      this.#chainReclaimed = 0;
      this.#partialPfnBytes = 0;
      this.io.streamOut(element, 0, this.#pfnSink);
      if (this.#isInflating) {
        this.reclaimedPages += this.#chainReclaimed;
        this.unreclaimedPages += this.#pagesInRam - this.#chainReclaimed;
      }
      if (queueIndex === BALLOON_DEFLATE_QUEUE) this.#deflate(this.#pagesInRam);
      return 0;
    });
  }

  #takePfnByte(byte: number): void {
    this.#partialPfn =
      this.#partialPfnBytes === 0 ? byte : this.#partialPfn + byte * 2 ** (8 * this.#partialPfnBytes);
    if (++this.#partialPfnBytes < 4) return;
    this.#partialPfnBytes = 0;
    this.#takePfn(this.#partialPfn);
  }

  /**
   * One PFN of the chain: a page outside guest RAM is skipped either way
   * (`virtio_balloon_handle_output`: `memory_region_find` finds no RAM there, `continue`); an
   * inflated one is discarded, counting what came back.
   */
  #takePfn(balloonPfn: number): void {
    const memory = this.io.view.memory;
    const guestPfn = Math.floor((balloonPfn * BALLOON_PAGE_BYTES) / GUEST_PAGE_SIZE);
    if (guestPfn >= memory.pageCount) return;
    this.#pagesInRam++;
    if (this.#isInflating && discardGivesRam(memory.pageState(guestPfn))) this.#chainReclaimed++;
  }

  #deflate(pages: number): void {
    const fromUnreclaimed = Math.min(pages, this.unreclaimedPages);
    this.unreclaimedPages -= fromUnreclaimed;
    this.reclaimedPages = Math.max(0, this.reclaimedPages - (pages - fromUnreclaimed));
  }

  protected override saveDevice(): BalloonMigrationState {
    return {
      type: 'balloon',
      targetPages: this.targetPages,
      actualPages: this.#actualPages,
      reclaimedPages: this.reclaimedPages,
      unreclaimedPages: this.unreclaimedPages,
    };
  }

  protected override loadDevice(state: DeviceMigrationState): void {
    if (state.type !== 'balloon') return;
    this.#config.set('numPages', state.targetPages);
    this.#config.set('actual', state.actualPages);
    this.#actualPages = state.actualPages;
    this.reclaimedPages = state.reclaimedPages;
    this.unreclaimedPages = state.unreclaimedPages;
  }
}

/**
 * Whether discarding a guest page's backing gives the host RAM. A normal or shared page is host
 * RAM, and madvise frees it. A secure page is not: since H_SVM_INIT_DONE its GFN is backed by a
 * device-private PFN standing for ultravisor memory (torvalds/linux
 * arch/powerpc/kvm/book3s_hv_uvmem.c kvmppc_uv_migrate_mem_slot). Discarding it only frees that
 * PFN (kvmppc_uvmem_page_free marks the GFN paged out) and KVM's MMU notifier sends UV_PAGE_INVAL
 * instead of unmapping (arch/powerpc/kvm/book3s_64_mmu_radix.c kvm_unmap_radix): the host gets
 * nothing back and the guest's secure memory stays reserved. Simplified: QEMU discards 64 KiB host
 * pages only once all sixteen 4 KiB balloon pages in them are in (PartiallyBalloonedPage); we
 * count 4 KiB pages.
 */
export function discardGivesRam(state: PageStateCode): boolean {
  return state !== PageState.secure;
}
