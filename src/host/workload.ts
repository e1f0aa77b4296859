import {invariantBroken} from '../core/assert.js';
import {GUEST_PAGE_SIZE, type GuestMemory} from '../core/guest-memory.js';
import type {Rng} from '../core/rng.js';
import type {TimerHandle} from '../core/scheduler.js';
import {DIRTY_REGION_START, WORKLOAD_TICK_US, usableWorkingSetBytes} from './config/guest-capacity.js';
import type {WorkloadConfig} from './config/world-schema.js';
import type {GuestKernel} from './guest-kernel.js';
import type {SimContext} from './sim-context.js';
import {DISK_WORKLOAD_OFFSET, WORKLOAD_PROFILES, type WorkloadProfile} from './workload-profiles.js';
import {SHADOW_BLOCK_BYTES} from './block-pattern.js';

// The tick lives with the config's dirty-rate bound (checkDirtyRate), which is in its terms.
const NET_FLOWS = 4;

/** What a workload earns credit for, each tick: indices into its credits. */
const Credit = {console: 0, rng: 1, net: 2, blk: 3, dirty: 4} as const;

export interface WorkloadHost {
  readonly context: SimContext;
  readonly rng: Rng;
  memory(): GuestMemory;
  readonly residentBytes: number;
  /** Fraction of vCPU time auto-converge takes away (0..0.99). */
  throttle(): number;
  /** Schedules guest work (deferred while paused, dropped after a reboot). */
  guestTimer(delayUs: number, work: () => void): TimerHandle;
  /** Runs a timer `guestTimer` made, which has run, once more after `delayUs`. */
  guestTimerAgain(timer: TimerHandle, delayUs: number): void;
}

/**
 * A guest's applications: at each tick, per device, as many requests as the profile's rates
 * allow (with some randomness), bounded by a queue depth; plus the pages the programs dirty.
 */
export class Workload {
  readonly #host: WorkloadHost;
  #config: WorkloadConfig;
  // Derived from the config when it is set, not at every tick (`#derive`).
  #profile!: WorkloadProfile;
  #dirtyPagesPerSecond = 0;
  #workingSetPages = 0;
  #kernel: GuestKernel | null = null;
  #timer: TimerHandle | undefined;
  readonly #credits = new Float64Array(5);
  #sequentialOffset = 0;
  #sequentialIsWrite = true;
  #dirtyCursor = 0;
  #consoleLine = 0;

  constructor(host: WorkloadHost, config: WorkloadConfig) {
    this.#host = host;
    this.#config = config;
    this.#derive();
  }

  get config(): WorkloadConfig {
    return this.#config;
  }

  get profile(): WorkloadProfile {
    return this.#profile;
  }

  get dirtyBytesPerSecond(): number {
    return this.#config.dirtyRate ?? this.profile.dirtyBytesPerSecond;
  }

  get workingSetBytes(): number {
    const wanted = this.#config.workingSet ?? this.profile.workingSetBytes;
    return Math.min(wanted, usableWorkingSetBytes(this.#host.residentBytes));
  }

  setConfig(config: WorkloadConfig): void {
    this.#config = config;
    this.#derive();
  }

  #derive(): void {
    this.#profile = WORKLOAD_PROFILES[this.#config.profile];
    this.#dirtyPagesPerSecond = this.dirtyBytesPerSecond / GUEST_PAGE_SIZE;
    this.#workingSetPages = Math.floor(this.workingSetBytes / GUEST_PAGE_SIZE);
    // A smaller working set: the cursor goes on from the same place within it, not from past its end.
    if (this.#workingSetPages > 0) this.#dirtyCursor %= this.#workingSetPages;
  }

  start(kernel: GuestKernel): void {
    if (kernel.isFirmware)
      invariantBroken(`workload of ${kernel.vm}: applications run on the kernel, not the firmware`);
    this.stop();
    this.#kernel = kernel;
    this.#schedule();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#kernel = null;
  }

  #schedule(): void {
    this.#timer = this.#host.guestTimer(WORKLOAD_TICK_US, this.#onTick);
  }

  /** Made once: a tick schedules the next with the same function and, in the same boot, the same timer. */
  readonly #onTick = (): void => {
    const timer = this.#timer;
    this.#tick();
    // A tick that stopped the workload, or restarted it (a new timer already queued), runs no more.
    if (this.#kernel && timer === this.#timer) this.#host.guestTimerAgain(timer!, WORKLOAD_TICK_US);
  };

  /** Whole requests (or pages) due this tick at `perSecond`, with some randomness; the fraction carries over. */
  #due(credit: number, perSecond: number, seconds: number): number {
    const credits = this.#credits;
    credits[credit]! += perSecond * seconds * (0.5 + this.#host.rng.float());
    const whole = Math.floor(credits[credit]!);
    credits[credit]! -= whole;
    return whole;
  }

  #tick(): void {
    const kernel = this.#kernel;
    if (!kernel) return;
    const profile = this.#profile;
    const seconds = (WORKLOAD_TICK_US / 1_000_000) * (1 - this.#host.throttle());
    const rng = this.#host.rng;
    this.#dirty(this.#due(Credit.dirty, this.#dirtyPagesPerSecond, seconds));
    const drivers = kernel.drivers;
    if (drivers.console?.isReady)
      for (let n = this.#due(Credit.console, profile.consoleLinesPerSecond, seconds); n > 0; n--)
        drivers.console.write(`${this.#config.profile}: heartbeat ${this.#consoleLine++}`);
    if (drivers.rng?.isReady)
      for (let n = this.#due(Credit.rng, profile.rngRequestsPerSecond, seconds); n > 0; n--)
        drivers.rng.request(rng.pick([16, 32, 64]));
    if (drivers.net?.isReady) {
      for (let n = this.#due(Credit.net, profile.netFramesPerSecond, seconds); n > 0; n--) {
        drivers.net.send(
          rng.int(0, NET_FLOWS - 1),
          rng.int(profile.netPayloadBytes[0], profile.netPayloadBytes[1]),
          rng.int(profile.netReplyBytes[0], profile.netReplyBytes[1]),
        );
      }
    }
    if (drivers.blk?.isReady)
      this.#blk(this.#due(Credit.blk, profile.blkRequestsPerSecond, seconds), profile);
  }

  #blk(count: number, profile: WorkloadProfile): void {
    const blk = this.#kernel?.drivers.blk;
    if (!blk) return;
    const rng = this.#host.rng;
    const regionBlocks = profile.blkRegionBytes / SHADOW_BLOCK_BYTES;
    for (let n = 0; n < count && blk.inFlight < profile.blkQueueDepth; n++) {
      const blocks = rng.int(profile.blkBlocks[0], profile.blkBlocks[1]);
      let firstBlock: number;
      let isWrite: boolean;
      if (profile.blkIsSequential) {
        if (this.#sequentialOffset + blocks > regionBlocks) {
          this.#sequentialOffset = 0;
          this.#sequentialIsWrite = !this.#sequentialIsWrite;
        }
        firstBlock = this.#sequentialOffset;
        isWrite = this.#sequentialIsWrite;
      } else {
        firstBlock = rng.int(0, regionBlocks - blocks);
        isWrite = !rng.chance(profile.blkReadFraction);
      }
      const offsetBytes = DISK_WORKLOAD_OFFSET + firstBlock * SHADOW_BLOCK_BYTES;
      const lengthBytes = blocks * SHADOW_BLOCK_BYTES;
      if (blk.isRangeBusy(offsetBytes, lengthBytes)) continue;
      const result = blk.submitIo({isWrite, offsetBytes, lengthBytes});
      if (result !== 'queued') break;
      if (profile.blkIsSequential) this.#sequentialOffset += blocks;
    }
  }

  #dirty(pages: number): void {
    const workingSetPages = this.#workingSetPages;
    if (workingSetPages === 0) return;
    const memory = this.#host.memory();
    const firstPfn = DIRTY_REGION_START / GUEST_PAGE_SIZE;
    for (let i = 0; i < pages; i++) {
      memory.dirtyPage(firstPfn + this.#dirtyCursor);
      this.#dirtyCursor = (this.#dirtyCursor + 1) % workingSetPages;
    }
  }
}
