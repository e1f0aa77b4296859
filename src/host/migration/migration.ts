import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import type {TimerHandle} from '../../core/scheduler.js';
import {formatDuration, formatSize, MiB} from '../../core/units.js';
import type {CheckedResult, Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {SimContext} from '../sim-context.js';
import type {MigrationSnapshot, MigrationStatus} from '../snapshot-types.js';
import type {SecureHolder} from '../ultravisor.js';
import type {BackendMigrationState, VirtioBackend} from '../virtio/backend.js';
import {exchangeUltravisorKeys, exportSecurePage, importSecurePage} from './secure-page-transport.js';

/** Per-migration parameters (QEMU's migrate-set-parameters / capabilities). */
export interface MigrationParams {
  readonly maxBandwidthBytesPerSecond: number;
  readonly downtimeLimitMs: number;
  readonly autoConverge: boolean;
}

export const MIGRATION_DEFAULTS: MigrationParams = {
  maxBandwidthBytesPerSecond: 128 * MiB,
  downtimeLimitMs: 300,
  autoConverge: false,
};

/** Time between sends; each sends what the bandwidth allows in that time. */
export const SEND_TICK_US = 10_000;
const SETUP_US = 50_000;
const KEY_EXCHANGE_US = 200_000;
const CANCEL_US = 10_000;
/** RAM_SAVE_FLAG headers: a zero page costs its header and one byte; a normal page its header too. */
const PAGE_HEADER_BYTES = 8;
const ZERO_PAGE_WIRE_BYTES = PAGE_HEADER_BYTES + 1;
/** IV and GCM tag on every encrypted secure page. */
const SECURE_PAGE_OVERHEAD_BYTES = 28;
const DEVICE_STATE_BYTES_PER_DEVICE = 4096;
const DEVICE_STOP_OVERHEAD_US = 5_000;
/** Put a limit on everything: a migration that has not converged after this many passes fails. */
export const MIGRATION_MAX_ITERATIONS = 200;
/** `cpu-throttle-initial`, `cpu-throttle-increment`, and the 99% ceiling. */
const THROTTLE_INITIAL = 0.2;
const THROTTLE_INCREMENT = 0.1;
const THROTTLE_MAX = 0.99;
/**
 * `throttle-trigger-threshold` (default 50): a sync "outran" the transfer when the guest dirtied
 * more than this share of what was sent in the same period (migration_trigger_throttle).
 */
const THROTTLE_TRIGGER_THRESHOLD = 0.5;

/** What a migration needs from the world that runs it. */
export interface MigrationEnvironment {
  readonly context: SimContext;
  readonly rng: Rng;
  /** Bandwidth this migration gets now: its cap, the link's, shared with others on the link. */
  bandwidthFor(migration: Migration): number;
  isLinkDown(a: string, b: string): boolean;
  /** Builds devices for the guest on another memory (the destination QEMU, or the source again). */
  createBackends(guest: Guest, memory: GuestMemory): VirtioBackend[];
  /** True once when a key-exchange failure was injected for this guest. */
  takeKeyExchangeFault(guest: Guest): boolean;
  onEnded(migration: Migration): void;
  /** Sees both memories at the instant of switch-over, before the guest resumes (tests, soak). */
  onSwitchOver?: ((source: GuestMemory, target: GuestMemory) => void) | undefined;
}

/**
 * Pre-copy live migration as QEMU does it (migration/migration.c, migration/ram.c): setup starts
 * dirty logging with every page to send; each pass sends its pages at the bandwidth while the
 * guest keeps dirtying; a bitmap sync ends a pass; when what is left would take no longer than
 * the downtime limit, the VM stops, the rest and the device state move, and it resumes on the
 * destination. Secure guests add a key exchange between the ultravisors, and their secure pages
 * travel encrypted (UV_PAGE_OUT / UV_PAGE_IN).
 */
export class Migration {
  readonly guest: Guest;
  readonly source: Host;
  readonly destination: Host;
  readonly params: MigrationParams;
  readonly isSecure: boolean;
  status: MigrationStatus = 'setup';
  errorDesc: string | null = null;
  readonly #environment: MigrationEnvironment;
  readonly #startUs: number;
  #endUs: number | null = null;
  #setupTimeMs = 0;
  #downtimeMs = 0;
  #expectedDowntimeMs = 0;
  #transferred = 0;
  #duplicate = 0;
  #normal = 0;
  #dirtySyncCount = 0;
  #dirtyPagesRate = 0;
  #mbps = 0;
  #pagesPerSecond = 0;
  #throttle = 0;
  #rateHighCount = 0;
  #target: GuestMemory | null = null;
  #queue: Uint32Array = new Uint32Array(0);
  #cursor = 0;
  #budgetBytes = 0;
  #passStartUs = 0;
  #passTransferred = 0;
  #windowStartUs = 0;
  #windowBytes = 0;
  #windowPages = 0;
  #key: Buffer | null = null;
  #timer: TimerHandle | undefined;
  #secureReservedOnDestination = 0;
  readonly #holder: SecureHolder;
  readonly #incoming: SecureHolder;

  constructor(environment: MigrationEnvironment, guest: Guest, destination: Host, params: MigrationParams) {
    this.#environment = environment;
    this.guest = guest;
    this.source = guest.host;
    this.destination = destination;
    this.params = params;
    this.isSecure = guest.isSecure;
    this.#holder = {kind: 'guest', vm: guest.name};
    this.#incoming = {kind: 'incoming-migration', vm: guest.name};
    this.#startUs = environment.context.scheduler.nowUs;
  }

  get isActive(): boolean {
    return (
      this.status === 'setup' ||
      this.status === 'key-exchange' ||
      this.status === 'active' ||
      this.status === 'device' ||
      this.status === 'cancelling'
    );
  }

  /** Starts: dirty logging on, the destination's RAM allocated, every page queued for the first pass. */
  start(): void {
    const {context} = this.#environment;
    this.guest.dispatch({type: 'migration-started'});
    this.#emit(
      'info',
      `migration to ${this.destination.name} started (bandwidth ${formatSize(this.params.maxBandwidthBytesPerSecond)}/s, downtime limit ${this.params.downtimeLimitMs} ms${this.params.autoConverge ? ', auto-converge' : ''})`,
    );
    this.#timer = context.scheduler.after(SETUP_US, () => {
      const memory = this.guest.memory;
      memory.startDirtyLog();
      this.#target = new GuestMemory(memory.sizeBytes);
      this.#queue = Uint32Array.from({length: memory.pageCount}, (_, pfn) => pfn);
      this.#setupTimeMs = (context.scheduler.nowUs - this.#startUs) / 1000;
      if (this.isSecure) this.#keyExchange();
      else this.#beginPass();
    });
  }

  /** migrate_cancel: refused once nothing is left to cancel, or in stop-and-copy. */
  cancel(isDryRun = false): CheckedResult {
    if (!this.isActive || this.status === 'cancelling')
      return {ok: false, code: 'not-migrating', reason: `no migration of ${this.guest.name} to cancel`};
    if (this.status === 'device')
      return {
        ok: false,
        code: 'stop-and-copy',
        reason: 'migration is in stop-and-copy and will finish within its downtime',
      };
    if (isDryRun) return {ok: true};
    this.#timer?.cancel();
    this.status = 'cancelling';
    this.#timer = this.#environment.context.scheduler.after(CANCEL_US, () => {
      this.#abandon();
      this.status = 'cancelled';
      this.#emit(
        'warning',
        `migration to ${this.destination.name} cancelled; ${this.guest.name} keeps running on ${this.source.name}`,
      );
      this.#end();
    });
    return {ok: true};
  }

  /** Ends the migration in `failed`; the guest keeps running on the source. */
  fail(errorDesc: string): void {
    if (!this.isActive) return;
    this.#timer?.cancel();
    const wasStopped = this.status === 'device';
    this.errorDesc = errorDesc;
    this.status = 'failed';
    if (wasStopped) this.#resumeOn(this.guest.memory, this.source, this.#savedDevices ?? []);
    this.#abandon();
    this.#emit(
      'error',
      `migration to ${this.destination.name} failed: ${errorDesc}; ${this.guest.name} keeps running on ${this.source.name}`,
    );
    this.#end();
  }

  #savedDevices: BackendMigrationState[] | null = null;

  #keyExchange(): void {
    this.status = 'key-exchange';
    const {context} = this.#environment;
    this.#timer = context.scheduler.after(KEY_EXCHANGE_US, () => {
      if (this.#environment.takeKeyExchangeFault(this.guest)) {
        this.fail(`ultravisor key exchange failed: ${this.destination.name} did not pass attestation`);
        return;
      }
      const ultravisor = this.destination.ultravisor;
      if (!ultravisor?.reserve(this.#incoming, this.guest.memory.sizeBytes)) {
        this.fail(
          `U_RETRY: ${this.destination.name} cannot hold ${formatSize(this.guest.memory.sizeBytes)} of secure memory`,
        );
        return;
      }
      this.#secureReservedOnDestination = this.guest.memory.sizeBytes;
      this.#key = exchangeUltravisorKeys(`${this.guest.name} ${this.source.name}->${this.destination.name}`);
      this.#emit(
        'info',
        `ultravisors of ${this.source.name} and ${this.destination.name} exchanged keys; secure pages will travel encrypted`,
      );
      this.#beginPass();
    });
  }

  #beginPass(): void {
    this.status = 'active';
    const now = this.#environment.context.scheduler.nowUs;
    this.#cursor = 0;
    this.#passStartUs = now;
    this.#passTransferred = 0;
    if (this.#windowStartUs === 0) this.#windowStartUs = now;
    this.#timer = this.#environment.context.scheduler.after(SEND_TICK_US, () => this.#tick());
  }

  #tick(): void {
    if (this.status !== 'active') return;
    if (this.#environment.isLinkDown(this.source.name, this.destination.name)) {
      this.fail('Unable to write to socket: Connection reset by peer');
      return;
    }
    const bandwidth = this.#environment.bandwidthFor(this);
    this.#budgetBytes += (bandwidth * SEND_TICK_US) / 1_000_000;
    while (this.#budgetBytes > 0 && this.#cursor < this.#queue.length) {
      this.#budgetBytes -= this.#sendPage(this.#queue[this.#cursor]!, bandwidth);
      this.#cursor++;
    }
    if (this.#budgetBytes > 0) this.#budgetBytes = 0;
    this.#measure();
    if (this.#cursor >= this.#queue.length) this.#endOfPass(bandwidth);
    else this.#timer = this.#environment.context.scheduler.after(SEND_TICK_US, () => this.#tick());
  }

  /**
   * Sends one page to the destination's memory.
   * @returns the bytes of link time it cost (encryption slower than the link costs extra)
   */
  #sendPage(pfn: number, bandwidth: number): number {
    const memory = this.guest.memory;
    const target = this.#target!;
    const state = memory.pageState(pfn);
    let wireBytes: number;
    let costBytes: number;
    if (state === PageState.secure && this.#key) {
      importSecurePage(
        target,
        pfn,
        exportSecurePage(memory, pfn, this.#key, this.#environment.rng),
        this.#key,
      );
      this.#normal++;
      wireBytes = GUEST_PAGE_SIZE + PAGE_HEADER_BYTES + SECURE_PAGE_OVERHEAD_BYTES;
      const exportRate = this.source.ultravisor?.exportBytesPerSecond ?? bandwidth;
      costBytes = wireBytes * Math.max(1, bandwidth / exportRate);
    } else if (memory.isZeroPage(pfn)) {
      target.importPage(pfn, {kind: 'zero'});
      target.setPageStates(pfn, 1, state);
      this.#duplicate++;
      wireBytes = costBytes = ZERO_PAGE_WIRE_BYTES;
    } else {
      target.importPage(pfn, memory.exportPage(pfn));
      target.setPageStates(pfn, 1, state);
      this.#normal++;
      wireBytes = costBytes = GUEST_PAGE_SIZE + PAGE_HEADER_BYTES;
    }
    this.#transferred += wireBytes;
    this.#passTransferred += wireBytes;
    this.#windowBytes += wireBytes;
    this.#windowPages++;
    return costBytes;
  }

  #measure(): void {
    const now = this.#environment.context.scheduler.nowUs;
    const elapsedUs = now - this.#windowStartUs;
    if (elapsedUs < 1_000_000) return;
    this.#mbps = Math.round(((this.#windowBytes * 8) / elapsedUs) * 100) / 100;
    this.#pagesPerSecond = Math.round((this.#windowPages * 1_000_000) / elapsedUs);
    this.#windowStartUs = now;
    this.#windowBytes = 0;
    this.#windowPages = 0;
  }

  /** The bitmap sync that ends a pass: decide between another pass, throttling, and stop-and-copy. */
  #endOfPass(bandwidth: number): void {
    const now = this.#environment.context.scheduler.nowUs;
    const passSeconds = Math.max((now - this.#passStartUs) / 1_000_000, 1e-6);
    const dirty = this.guest.memory.syncDirtyLog();
    this.#dirtySyncCount++;
    this.#dirtyPagesRate = Math.round(dirty.length / passSeconds);
    const bytesDirtied = dirty.length * GUEST_PAGE_SIZE;
    const remaining = bytesDirtied;
    this.#expectedDowntimeMs = Math.round((remaining / bandwidth) * 1000);
    if (
      this.params.autoConverge &&
      bytesDirtied > this.#passTransferred * THROTTLE_TRIGGER_THRESHOLD &&
      ++this.#rateHighCount >= 2
    ) {
      this.#rateHighCount = 0;
      this.#throttle =
        this.#throttle === 0 ? THROTTLE_INITIAL : Math.min(THROTTLE_MAX, this.#throttle + THROTTLE_INCREMENT);
      this.guest.setThrottle(this.#throttle);
      this.#emit('info', `auto-converge: throttling vCPUs by ${Math.round(this.#throttle * 100)}%`);
    }
    if (this.#expectedDowntimeMs <= this.params.downtimeLimitMs) {
      this.#stopAndCopy(dirty, bandwidth);
      return;
    }
    if (this.#dirtySyncCount >= MIGRATION_MAX_ITERATIONS) {
      this.fail(
        `did not converge after ${MIGRATION_MAX_ITERATIONS} passes: the guest dirties ${formatSize(this.#dirtyPagesRate * GUEST_PAGE_SIZE)}/s against ${formatSize(bandwidth)}/s; enable auto-converge or raise max-bandwidth`,
      );
      return;
    }
    this.#queue = dirty;
    this.#beginPass();
  }

  /** The VM stops; devices stop; the rest of RAM and the device state move; downtime runs. */
  #stopAndCopy(dirty: Uint32Array, bandwidth: number): void {
    const {context} = this.#environment;
    this.status = 'device';
    this.guest.dispatch({type: 'migration-stop-vcpus'});
    this.#savedDevices = this.guest.backends.map((backend) => {
      const state = backend.saveState();
      backend.quiesce();
      return state;
    });
    const finalPages = new Set<number>(dirty);
    for (const pfn of this.guest.memory.syncDirtyLog()) finalPages.add(pfn);
    const before = this.#transferred;
    for (const pfn of finalPages) this.#sendPage(pfn, bandwidth);
    const deviceStateBytes = this.guest.backends.length * DEVICE_STATE_BYTES_PER_DEVICE;
    this.#transferred += deviceStateBytes;
    const downtimeUs =
      Math.ceil(((this.#transferred - before) / bandwidth) * 1_000_000) + DEVICE_STOP_OVERHEAD_US;
    this.#downtimeMs = Math.round(downtimeUs / 1000);
    this.#timer = context.scheduler.after(downtimeUs, () => this.#switchOver());
  }

  #switchOver(): void {
    const target = this.#target!;
    this.#environment.onSwitchOver?.(this.guest.memory, target);
    this.#resumeOn(target, this.destination, this.#savedDevices ?? []);
    if (this.isSecure) {
      const sourceUltravisor = this.source.ultravisor!;
      sourceUltravisor.release(this.#holder, sourceUltravisor.heldBy(this.#holder));
      this.destination.ultravisor!.transfer(this.#incoming, this.#holder);
      this.#secureReservedOnDestination = 0;
    }
    this.status = 'completed';
    this.guest.setThrottle(0);
    this.#emit(
      'info',
      `migration to ${this.destination.name} completed in ${formatDuration(this.#environment.context.scheduler.nowUs - this.#startUs)}: ${formatSize(this.#transferred)} sent, downtime ${this.#downtimeMs} ms`,
    );
    this.#end();
  }

  /** Continues the guest on `memory` at `host` with devices restored from their saved state. */
  #resumeOn(memory: GuestMemory, host: Host, devices: BackendMigrationState[]): void {
    const backends = this.#environment.createBackends(this.guest, memory);
    backends.forEach((backend, index) => {
      const state = devices[index];
      if (state) backend.loadState(state);
    });
    this.guest.memory.stopDirtyLog();
    this.guest.adoptTarget(memory, backends, host);
  }

  /** Leaves the source as it was: logging off, throttle off, the destination's reservation returned. */
  #abandon(): void {
    this.guest.memory.stopDirtyLog();
    this.guest.setThrottle(0);
    if (this.#secureReservedOnDestination > 0) {
      this.destination.ultravisor!.release(this.#incoming, this.#secureReservedOnDestination);
      this.#secureReservedOnDestination = 0;
    }
    this.#target = null;
  }

  #end(): void {
    this.#endUs = this.#environment.context.scheduler.nowUs;
    this.guest.dispatch({type: 'migration-ended'});
    this.#environment.onEnded(this);
  }

  #emit(severity: 'info' | 'warning' | 'error', message: string): void {
    this.#environment.context.emit(this.guest.name, 'migration', severity, message);
  }

  /** query-migrate, with QEMU's names in camelCase. */
  snapshot(): MigrationSnapshot {
    const now = this.#endUs ?? this.#environment.context.scheduler.nowUs;
    const remaining =
      this.status === 'completed' ? 0 : Math.max(0, this.#queue.length - this.#cursor) * GUEST_PAGE_SIZE;
    return {
      status: this.status,
      to: this.destination.name,
      totalTimeMs: Math.round((now - this.#startUs) / 1000),
      setupTimeMs: this.#setupTimeMs,
      expectedDowntimeMs: this.#expectedDowntimeMs,
      downtimeMs: this.#downtimeMs,
      blockedReasons: [],
      errorDesc: this.errorDesc,
      throttlePercent: Math.round(this.#throttle * 100),
      ram: {
        transferred: Math.round(this.#transferred),
        remaining,
        total: this.guest.config.memory,
        duplicate: this.#duplicate,
        normal: this.#normal,
        normalBytes: this.#normal * GUEST_PAGE_SIZE,
        dirtyPagesRate: this.#dirtyPagesRate,
        mbps: this.#mbps,
        dirtySyncCount: this.#dirtySyncCount,
        pageSize: GUEST_PAGE_SIZE,
        pagesPerSecond: this.#pagesPerSecond,
      },
    };
  }
}
