import type {GuestMemory} from '../../core/guest-memory.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {
  BALLOON_DEFLATE_QUEUE,
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
 * in the config space and hands pages over on the inflate queue. Each inflated page is given
 * back to the host (`ram_block_discard_range`) unless discards are inhibited, as they are for a
 * protected VM.
 */
export class BalloonBackend extends VirtioBackend {
  /** Pages whose memory the host really got back. */
  reclaimedPages = 0;
  /** Pages handed over but not reclaimed (the VM is protected). */
  unreclaimedPages = 0;
  #actualPages = 0;
  readonly #config: ConfigSpace<BalloonConfig>;
  readonly #isDiscardInhibited: () => boolean;

  constructor(
    context: SimContext,
    identity: BackendIdentity,
    memory: GuestMemory,
    isDiscardInhibited: () => boolean,
  ) {
    const config = new ConfigSpace<BalloonConfig>({numPages: 0, actual: 0}, ['actual']);
    super(context, identity, memory, featureSet(VirtioFeature.balloonMustTellHost), {
      type: 'balloon',
      space: config,
    });
    this.#config = config;
    this.#isDiscardInhibited = isDiscardInhibited;
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
      const array = this.io.readOut(element);
      const count = Math.floor(array.length / 4);
      if (queueIndex === BALLOON_INFLATE_QUEUE) this.#inflate(count);
      else if (queueIndex === BALLOON_DEFLATE_QUEUE) this.#deflate(count);
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
