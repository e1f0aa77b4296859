import {invariantBroken} from '../../core/assert.js';
import type {TimerHandle} from '../../core/scheduler.js';
import {formatBytes, formatDuration} from '../../core/format-units.js';
import type {CheckedResult, Guest} from '../guest.js';
import {staysOnSourceOf} from '../lifecycle/lifecycle.js';
import type {Host} from '../host.js';
import type {MigrationPhase, MigrationSnapshot, MigrationStatus} from '../snapshot-types.js';
import type {SecureHolder} from '../ultravisor.js';
import type {BackendMigrationState} from '../virtio/migration-state.js';
import {convergenceOf} from './convergence.js';
import {
  bandwidthText,
  bandwidthCapOf,
  DEVICE_STATE_BYTES_PER_DEVICE,
  MIN_BANDWIDTH_BYTES_PER_SECOND,
  MigrationTiming,
  SEND_TICK_US,
  type MigrationParams,
} from './migration-params.js';
import type {MigrationEnvironment} from './migration-environment.js';
import {preCopyProgress, queryMigrate} from './query-migrate.js';
import {PreCopy} from './pre-copy.js';
import type {PageCost} from './ram-stream.js';
import {handOverSecureMemory, resumeGuestOn, saveDeviceStates} from './switch-over.js';
import {exchangeUltravisorKeys} from './secure-page-transport.js';
import {rateBoundOf, stopAndCopyUs, type RateBound} from './transfer-rates.js';

/**
 * Pre-copy live migration as QEMU does it (qemu/qemu migration/migration.c, migration/ram.c):
 * setup starts dirty logging with every page in the bitmap; each send tick is one pass of the
 * migration thread's loop (`migration_iteration_run`): when the pending bytes fall below the
 * threshold (measured bandwidth × downtime limit) it syncs the dirty bitmap, and if they are still
 * below it, the VM stops and the rest and the device state move (`migration_completion`).
 * Secure guests add a key exchange, and their secure pages travel encrypted (UV_PAGE_OUT / UV_PAGE_IN).
 */
export class Migration {
  readonly guest: Guest;
  readonly source: Host;
  readonly destination: Host;
  /** Changed while it runs by migrate-set-parameters, as QEMU applies them at once. */
  params: MigrationParams;
  readonly isSecure: boolean;
  status: MigrationStatus = 'setup';
  errorDesc: string | null = null;
  #phase: MigrationPhase | null = 'setup';
  readonly #environment: MigrationEnvironment;
  readonly #startUs: number;
  readonly #incoming: SecureHolder;
  #endUs: number | null = null;
  #setupTimeMs = 0;
  #downtimeMs = 0;
  #preCopy: PreCopy | null = null;
  #timer: TimerHandle | undefined;
  #savedDevices: BackendMigrationState[] | null = null;
  #secureReservedOnDestination = 0;

  constructor(environment: MigrationEnvironment, guest: Guest, destination: Host, params: MigrationParams) {
    if (destination === guest.host)
      invariantBroken(`migration of ${guest.name}: source and destination are the same host`);
    if (!(params.maxBandwidthBytesPerSecond >= MIN_BANDWIDTH_BYTES_PER_SECOND))
      invariantBroken(`migration of ${guest.name}: max-bandwidth ${params.maxBandwidthBytesPerSecond}B/s`);
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

  get #nowUs(): number {
    return this.#environment.context.scheduler.nowUs;
  }

  #after(delayUs: number, run: () => void): TimerHandle {
    return this.#environment.context.scheduler.after(delayUs, run);
  }

  /** Starts: dirty logging on and synced once, every page in the bitmap, the destination's RAM allocated. */
  start(): void {
    this.guest.dispatch({type: 'migration-started'});
    const {downtimeLimitMs, autoConverge} = this.params;
    this.#emit(
      'info',
      `migration to ${this.destination.name} started (bandwidth ${bandwidthText(this.params)}, downtime limit ${downtimeLimitMs} ms${autoConverge ? ', auto-converge' : ''})`,
    );
    this.#timer = this.#after(MigrationTiming.setupUs, () => {
      const memory = this.guest.memory;
      memory.startDirtyLog();
      this.#preCopy = new PreCopy(memory, this.#environment.rng, this.#nowUs, this.params.downtimeLimitMs);
      // ram_init_bitmaps syncs once at setup: dirty-sync-count is 1 before the first page goes.
      this.#preCopy.syncBitmap(this.#nowUs, null, () => {});
      if (this.isSecure) this.#keyExchange();
      else this.#beginActive();
    });
  }

  /** migrate_cancel: refused once nothing is left to cancel, or in stop-and-copy. */
  cancel(isDryRun = false): CheckedResult {
    if (!this.isActive || this.status === 'cancelling')
      return {ok: false, code: 'not-migrating', reason: `no migration of ${this.guest.name} to cancel`};
    if (this.#phase === 'stop-and-copy')
      return {
        ok: false,
        code: 'stop-and-copy',
        reason: 'migration is in stop-and-copy and will finish within its downtime',
      };
    if (isDryRun) return {ok: true};
    this.#timer?.cancel();
    this.status = 'cancelling';
    this.#phase = null;
    this.#timer = this.#after(MigrationTiming.cancelUs, () => {
      this.#abandon();
      this.status = 'cancelled';
      this.#emit(
        'warning',
        `migration to ${this.destination.name} cancelled; ${staysOnSourceOf(this.guest.lifecycle, this.source.name)}`,
      );
      this.#end();
    });
    return {ok: true};
  }

  /** Ends the migration in `failed`; the guest stays on the source, as it was, unless it is going. */
  fail(errorDesc: string, isGuestGoing = false): void {
    if (!this.isActive) return;
    this.#timer?.cancel();
    const wasStopped = this.#phase === 'stop-and-copy';
    this.errorDesc = errorDesc;
    this.status = 'failed';
    this.#phase = null;
    if (wasStopped && !isGuestGoing)
      resumeGuestOn(this.#environment, this.guest, this.guest.memory, this.source, this.#savedDevices ?? []);
    this.#abandon();
    const stays = isGuestGoing ? '' : `; ${staysOnSourceOf(this.guest.lifecycle, this.source.name)}`;
    const how = isGuestGoing ? 'abandoned' : 'failed';
    this.#emit('error', `migration to ${this.destination.name} ${how}: ${errorDesc}${stays}`);
    this.#end(isGuestGoing);
  }

  #keyExchange(): void {
    this.#phase = 'key-exchange';
    this.#timer = this.#after(MigrationTiming.keyExchangeUs, () => {
      const bytes = this.guest.memory.sizeBytes;
      if (this.#environment.takeKeyExchangeFault(this.guest)) {
        this.fail(`ultravisor key exchange failed: ${this.destination.name} did not pass attestation`);
        return;
      }
      if (!this.destination.ultravisor?.reserve(this.#incoming, bytes)) {
        this.fail(`U_RETRY: ${this.destination.name} cannot hold ${formatBytes(bytes)} of secure memory`);
        return;
      }
      this.#secureReservedOnDestination = bytes;
      this.#preCopy!.ram.useKey(
        exchangeUltravisorKeys(`${this.guest.name} ${this.source.name}->${this.destination.name}`),
      );
      this.#emit(
        'info',
        `ultravisors of ${this.source.name} and ${this.destination.name} exchanged keys; secure pages will travel encrypted`,
      );
      this.#beginActive();
    });
  }

  /** Setup is over (migration_thread): setup-time is taken and the first rate window starts. */
  #beginActive(): void {
    this.status = 'active';
    this.#phase = this.isSecure ? 'page-export' : 'pre-copy';
    this.#setupTimeMs = Math.round((this.#nowUs - this.#startUs) / 1000);
    this.#preCopy!.beginActive(this.#nowUs);
    this.#timer = this.#after(SEND_TICK_US, () => this.#tick());
  }

  /** One turn of migration_thread (PreCopy.iterate), then the next in a tick. */
  #tick(): void {
    if (this.status !== 'active') return;
    if (this.#environment.isLinkDown(this.source.name, this.destination.name)) {
      this.fail('Unable to write to socket: Connection reset by peer');
      return;
    }
    const bound = this.#rateBound(bandwidthCapOf(this.params));
    const outcome = this.#preCopy!.iterate(
      this.#nowUs,
      this.params,
      bound.sendBytesPerSecond,
      (cost) => this.#linkBytesOf(cost, bound),
      (throttle) => this.#throttled(throttle),
    );
    if (outcome === 'complete') this.#stopAndCopy();
    else if (outcome === 'too-many-passes') this.fail(this.#preCopy!.unconvergedReason());
    else this.#timer = this.#after(SEND_TICK_US, () => this.#tick());
  }

  /** Link bytes a page costs: its wire bytes, more when the ultravisor encrypts slower (rateBoundOf). */
  #linkBytesOf(cost: PageCost, bound: RateBound): number {
    const wire = this.#preCopy!.ram.wireBytesOf(cost);
    return cost.isEncrypted ? wire * bound.encryptedCost : wire;
  }

  /** What bounds this migration now, at `cap` (null: the rate limit lifted, as in stop-and-copy). */
  #rateBound(cap: number | null): RateBound {
    const exportRate = this.isSecure ? (this.source.ultravisor?.exportBytesPerSecond ?? null) : null;
    return rateBoundOf({cap, link: this.#environment.linkBandwidthFor(this), exportRate});
  }

  #throttled(throttle: number): void {
    this.guest.setThrottle(throttle);
    this.#emit('info', `auto-converge: throttling vCPUs by ${Math.round(throttle * 100)}%`);
  }

  /** VM and devices stop; a last sync; the rest moves, rate limit lifted (migration_completion): downtime. */
  #stopAndCopy(): void {
    this.#phase = 'stop-and-copy';
    this.guest.dispatch({type: 'migration-stop-vcpus'});
    this.#savedDevices = saveDeviceStates(this.guest);
    const unlimited = this.#rateBound(null);
    const linkBytes =
      this.guest.backends.length * DEVICE_STATE_BYTES_PER_DEVICE +
      this.#preCopy!.sendTheRest(this.#nowUs, (cost) => this.#linkBytesOf(cost, unlimited));
    const downtimeUs = stopAndCopyUs(linkBytes, unlimited);
    this.#downtimeMs = Math.round(downtimeUs / 1000);
    this.#timer = this.#after(downtimeUs, () => this.#switchOver());
  }

  #switchOver(): void {
    const {ram, rates} = this.#preCopy!;
    const target = ram.target;
    this.#environment.onSwitchOver?.(this.guest.memory, target);
    resumeGuestOn(this.#environment, this.guest, target, this.destination, this.#savedDevices ?? []);
    if (this.isSecure) {
      handOverSecureMemory(this.guest, this.source, this.destination, this.#incoming);
      this.#secureReservedOnDestination = 0;
    }
    this.status = 'completed';
    this.#phase = null;
    this.guest.setThrottle(0);
    const totalMs = (this.#nowUs - this.#startUs) / 1000;
    const streamBytes = ram.counters.transferred + this.guest.backends.length * DEVICE_STATE_BYTES_PER_DEVICE;
    rates.complete(streamBytes, totalMs - this.#setupTimeMs);
    this.#emit(
      'info',
      `migration to ${this.destination.name} completed in ${formatDuration(this.#nowUs - this.#startUs)}: ${formatBytes(ram.counters.transferred)} sent, downtime ${this.#downtimeMs} ms`,
    );
    this.#end();
  }

  /** Leaves the source as it was: logging off, throttle off, the destination's reservation returned. */
  #abandon(): void {
    this.guest.memory.stopDirtyLog();
    this.guest.setThrottle(0);
    this.#preCopy?.rates.stop();
    if (this.#secureReservedOnDestination > 0) {
      this.destination.ultravisor!.release(this.#incoming, this.#secureReservedOnDestination);
      this.#secureReservedOnDestination = 0;
    }
    this.#preCopy?.ram.dropTarget();
  }

  /** The migration is over before the vCPUs run again, if they do (see the lifecycle's `migration-ended`). */
  #end(isGuestGoing = false): void {
    this.#endUs = this.#nowUs;
    this.guest.dispatch({type: 'migration-ended', isGuestGoing});
    this.#environment.onEnded(this.guest.name, this.status);
  }

  #emit(severity: 'info' | 'warning' | 'error', message: string): void {
    this.#environment.context.emit(this.guest.name, 'migration', severity, message);
  }

  /** query-migrate, with QEMU's names in camelCase, and svmtop's own fields beside. */
  snapshot(): MigrationSnapshot {
    const preCopy = this.#preCopy;
    const isRunning = this.isActive && this.status !== 'cancelling';
    return queryMigrate({
      status: this.status,
      phase: this.#phase,
      to: this.destination.name,
      totalTimeUs: (this.#endUs ?? this.#nowUs) - this.#startUs,
      setupTimeMs: this.#setupTimeMs,
      downtimeMs: this.#downtimeMs,
      errorDesc: this.errorDesc,
      totalBytes: this.guest.config.memory,
      ...preCopyProgress(preCopy, isRunning, this.params.downtimeLimitMs),
      params: this.params,
      convergence: preCopy
        ? convergenceOf(preCopy, this.guest, {
            params: this.params,
            isIterating: this.#phase === 'pre-copy' || this.#phase === 'page-export',
            ceiling: this.#rateBound(null),
            destination: this.destination.name,
          })
        : null,
    });
  }
}
