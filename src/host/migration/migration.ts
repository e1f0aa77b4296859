import {invariantBroken} from '../../core/assert.js';
import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {TimerHandle} from '../../core/scheduler.js';
import {formatDuration, formatSize} from '../../core/units.js';
import type {CheckedResult, Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {MigrationSnapshot, MigrationStatus} from '../snapshot-types.js';
import type {SecureHolder} from '../ultravisor.js';
import type {BackendMigrationState} from '../virtio/migration-state.js';
import {AutoConverge} from './auto-converge.js';
import {
  DEVICE_STATE_BYTES_PER_DEVICE,
  MIGRATION_MAX_ITERATIONS,
  MIN_BANDWIDTH_BYTES_PER_SECOND,
  MigrationTiming,
  SEND_TICK_US,
  type MigrationEnvironment,
  type MigrationParams,
} from './migration-params.js';
import {queryMigrate} from './query-migrate.js';
import {RamStream} from './ram-stream.js';
import {SendQueue} from './send-queue.js';
import {handOverSecureMemory, resumeGuestOn} from './switch-over.js';
import {exchangeUltravisorKeys} from './secure-page-transport.js';

/**
 * Pre-copy live migration as QEMU does it (qemu/qemu migration/migration.c, migration/ram.c):
 * setup starts dirty logging with every page queued; each pass sends at the bandwidth while the
 * guest dirties; a bitmap sync ends a pass; once the rest fits the downtime limit the VM stops,
 * the rest and the device state move, and it resumes on the destination. Secure guests add a
 * key exchange, and their secure pages travel encrypted (UV_PAGE_OUT / UV_PAGE_IN).
 */
export class Migration {
  readonly guest: Guest;
  readonly source: Host;
  readonly destination: Host;
  /** Changed while it runs by migrate-set-parameters (MigrationService.setParams), as QEMU does. */
  params: MigrationParams;
  readonly isSecure: boolean;
  status: MigrationStatus = 'setup';
  errorDesc: string | null = null;
  readonly #environment: MigrationEnvironment;
  readonly #startUs: number;
  readonly #incoming: SecureHolder;
  readonly #autoConverge = new AutoConverge();
  #endUs: number | null = null;
  #setupTimeMs = 0;
  #downtimeMs = 0;
  #expectedDowntimeMs = 0;
  #dirtySyncCount = 0;
  #dirtyPagesRate = 0;
  #ram: RamStream | null = null;
  readonly #queue = new SendQueue();
  #timer: TimerHandle | undefined;
  #savedDevices: BackendMigrationState[] | null = null;
  #secureReservedOnDestination = 0;

  constructor(environment: MigrationEnvironment, guest: Guest, destination: Host, params: MigrationParams) {
    if (destination === guest.host)
      invariantBroken(`migration of ${guest.name}: source and destination are the same host`);
    if (!(params.maxBandwidthBytesPerSecond >= MIN_BANDWIDTH_BYTES_PER_SECOND))
      invariantBroken(`migration of ${guest.name}: max-bandwidth ${params.maxBandwidthBytesPerSecond} B/s`);
    this.#environment = environment;
    this.guest = guest;
    this.source = guest.host;
    this.destination = destination;
    this.params = params;
    this.isSecure = guest.isSecure;
    this.#incoming = {kind: 'incoming-migration', vm: guest.name};
    this.#startUs = environment.context.scheduler.nowUs;
  }

  get isActive(): boolean {
    return this.status !== 'completed' && this.status !== 'failed' && this.status !== 'cancelled';
  }

  /** Starts: dirty logging on, the destination's RAM allocated, every page queued for the first pass. */
  start(): void {
    const {context} = this.#environment;
    this.guest.dispatch({type: 'migration-started'});
    this.#emit(
      'info',
      `migration to ${this.destination.name} started (bandwidth ${formatSize(this.params.maxBandwidthBytesPerSecond)}/s, downtime limit ${this.params.downtimeLimitMs} ms${this.params.autoConverge ? ', auto-converge' : ''})`,
    );
    this.#timer = context.scheduler.after(MigrationTiming.setupUs, () => {
      const memory = this.guest.memory;
      memory.startDirtyLog();
      this.#ram = new RamStream(memory.sizeBytes, this.#environment.rng);
      this.#queue.begin(
        Uint32Array.from({length: memory.pageCount}, (_, pfn) => pfn),
        context.scheduler.nowUs,
      );
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
    this.#timer = this.#environment.context.scheduler.after(MigrationTiming.cancelUs, () => {
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
    if (wasStopped)
      resumeGuestOn(this.#environment, this.guest, this.guest.memory, this.source, this.#savedDevices ?? []);
    this.#abandon();
    this.#emit(
      'error',
      `migration to ${this.destination.name} failed: ${errorDesc}; ${this.guest.name} keeps running on ${this.source.name}`,
    );
    this.#end();
  }

  #keyExchange(): void {
    this.status = 'key-exchange';
    this.#timer = this.#environment.context.scheduler.after(MigrationTiming.keyExchangeUs, () => {
      const bytes = this.guest.memory.sizeBytes;
      if (this.#environment.takeKeyExchangeFault(this.guest)) {
        this.fail(`ultravisor key exchange failed: ${this.destination.name} did not pass attestation`);
        return;
      }
      if (!this.destination.ultravisor?.reserve(this.#incoming, bytes)) {
        this.fail(`U_RETRY: ${this.destination.name} cannot hold ${formatSize(bytes)} of secure memory`);
        return;
      }
      this.#secureReservedOnDestination = bytes;
      this.#ram!.useKey(
        exchangeUltravisorKeys(`${this.guest.name} ${this.source.name}->${this.destination.name}`),
      );
      this.#emit(
        'info',
        `ultravisors of ${this.source.name} and ${this.destination.name} exchanged keys; secure pages will travel encrypted`,
      );
      this.#beginPass();
    });
  }

  #beginPass(pages?: Uint32Array): void {
    this.status = 'active';
    const now = this.#environment.context.scheduler.nowUs;
    this.#queue.begin(pages ?? this.#queue.pages, now);
    this.#ram!.beginPass(now);
    this.#timer = this.#environment.context.scheduler.after(SEND_TICK_US, () => this.#tick());
  }

  #tick(): void {
    if (this.status !== 'active') return;
    if (this.#environment.isLinkDown(this.source.name, this.destination.name)) {
      this.fail('Unable to write to socket: Connection reset by peer');
      return;
    }
    const bandwidth = this.#environment.bandwidthFor(this);
    const ram = this.#ram!;
    const exportRate = this.source.ultravisor?.exportBytesPerSecond ?? bandwidth;
    this.#queue.send((bandwidth * SEND_TICK_US) / 1_000_000, ram, this.guest.memory, (kind) =>
      ram.costOf(kind, bandwidth, exportRate),
    );
    ram.measure(this.#environment.context.scheduler.nowUs);
    if (this.#queue.isDone) this.#endOfPass(bandwidth);
    else this.#timer = this.#environment.context.scheduler.after(SEND_TICK_US, () => this.#tick());
  }

  /** The bitmap sync that ends a pass: decide between another pass, throttling, and stop-and-copy. */
  #endOfPass(bandwidth: number): void {
    const now = this.#environment.context.scheduler.nowUs;
    const passSeconds = Math.max((now - this.#queue.passStartUs) / 1_000_000, 1e-6);
    const dirty = this.guest.memory.syncDirtyLog();
    this.#dirtySyncCount++;
    this.#dirtyPagesRate = Math.round(dirty.length / passSeconds);
    const bytesDirtied = dirty.length * GUEST_PAGE_SIZE;
    this.#expectedDowntimeMs = Math.round((bytesDirtied / bandwidth) * 1000);
    const throttle = this.params.autoConverge
      ? this.#autoConverge.onSync(bytesDirtied, this.#ram!.passTransferred, this.params)
      : null;
    if (throttle !== null) {
      this.guest.setThrottle(throttle);
      this.#emit('info', `auto-converge: throttling vCPUs by ${Math.round(throttle * 100)}%`);
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
    this.#beginPass(dirty);
  }

  /** The VM stops; devices stop; the rest of RAM and the device state move; downtime runs. */
  #stopAndCopy(dirty: Uint32Array, bandwidth: number): void {
    const ram = this.#ram!;
    const memory = this.guest.memory;
    this.status = 'device';
    this.guest.dispatch({type: 'migration-stop-vcpus'});
    this.#savedDevices = this.guest.backends.map((backend) => {
      const state = backend.saveState();
      backend.quiesce();
      return state;
    });
    const finalPages = new Set<number>(dirty);
    for (const pfn of memory.syncDirtyLog()) finalPages.add(pfn);
    const before = ram.counters.transferred;
    for (const pfn of finalPages) ram.send(memory, pfn, ram.kindOf(memory, pfn));
    ram.counters.transferred += this.guest.backends.length * DEVICE_STATE_BYTES_PER_DEVICE;
    const downtimeUs =
      Math.ceil(((ram.counters.transferred - before) / bandwidth) * 1_000_000) +
      MigrationTiming.deviceStopOverheadUs;
    this.#downtimeMs = Math.round(downtimeUs / 1000);
    this.#timer = this.#environment.context.scheduler.after(downtimeUs, () => this.#switchOver());
  }

  #switchOver(): void {
    const target = this.#ram!.target;
    this.#environment.onSwitchOver?.(this.guest.memory, target);
    resumeGuestOn(this.#environment, this.guest, target, this.destination, this.#savedDevices ?? []);
    if (this.isSecure) {
      handOverSecureMemory(this.guest, this.source, this.destination, this.#incoming);
      this.#secureReservedOnDestination = 0;
    }
    this.status = 'completed';
    this.guest.setThrottle(0);
    this.#emit(
      'info',
      `migration to ${this.destination.name} completed in ${formatDuration(this.#environment.context.scheduler.nowUs - this.#startUs)}: ${formatSize(this.#ram!.counters.transferred)} sent, downtime ${this.#downtimeMs} ms`,
    );
    this.#end();
  }

  /** Leaves the source as it was: logging off, throttle off, the destination's reservation returned. */
  #abandon(): void {
    this.guest.memory.stopDirtyLog();
    this.guest.setThrottle(0);
    if (this.#secureReservedOnDestination > 0) {
      this.destination.ultravisor!.release(this.#incoming, this.#secureReservedOnDestination);
      this.#secureReservedOnDestination = 0;
    }
    this.#ram?.dropTarget();
  }

  /** The migration is over before the vCPUs run again (see the lifecycle's `migration-ended`). */
  #end(): void {
    this.#endUs = this.#environment.context.scheduler.nowUs;
    this.guest.dispatch({type: 'migration-ended'});
    this.#environment.onEnded();
  }

  #emit(severity: 'info' | 'warning' | 'error', message: string): void {
    this.#environment.context.emit(this.guest.name, 'migration', severity, message);
  }

  /** query-migrate, with QEMU's names in camelCase. */
  snapshot(): MigrationSnapshot {
    const now = this.#endUs ?? this.#environment.context.scheduler.nowUs;
    return queryMigrate({
      status: this.status,
      to: this.destination.name,
      totalTimeUs: now - this.#startUs,
      setupTimeMs: this.#setupTimeMs,
      expectedDowntimeMs: this.#expectedDowntimeMs,
      downtimeMs: this.#downtimeMs,
      errorDesc: this.errorDesc,
      throttle: this.#autoConverge.throttle,
      remainingPages: this.status === 'completed' ? 0 : this.#queue.remainingPages,
      totalBytes: this.guest.config.memory,
      counters: this.#ram?.counters ?? null,
      dirtyPagesRate: this.#dirtyPagesRate,
      dirtySyncCount: this.#dirtySyncCount,
    });
  }
}
