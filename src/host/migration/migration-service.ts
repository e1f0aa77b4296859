import {invariantBroken} from '../../core/assert.js';
import type {GuestMemory} from '../../core/guest-memory.js';
import type {Cluster} from '../cluster.js';
import type {CheckedResult, Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {SimContext} from '../sim-context.js';
import type {MigrationSnapshot, MigrationStatus} from '../snapshot-types.js';
import {createBackends} from '../virtio/create-backends.js';
import {linkKey} from './links.js';
import {Migration} from './migration.js';
import {parametersOf} from './query-migrate.js';
import {bandwidthText, type MigrationParams} from './migration-params.js';
import type {MigrationEnvironment, MigrationRoute} from './migration-environment.js';
import {migrationBlockers, type MigrationCheck} from './migration-blockers.js';
import {TARGET_PAGE_SIZE} from './ram-stream.js';

export type SwitchOverListener = (source: GuestMemory, target: GuestMemory) => void;

/**
 * A migration refused before any has run is shown as `failed` before start, with its reasons,
 * until another is refused or one starts.
 */
const BLOCKED_RAM: MigrationSnapshot['ram'] = {
  transferred: 0,
  remaining: 0,
  total: 0,
  duplicate: 0,
  normal: 0,
  normalBytes: 0,
  dirtyPagesRate: 0,
  mbps: 0,
  dirtySyncCount: 0,
  pageSize: TARGET_PAGE_SIZE,
  pagesPerSecond: 0,
};

/**
 * The cluster's migrations: which hosts would take a guest and why not, starting and cancelling,
 * the bandwidth each gets on a shared link, injected key-exchange faults, and what each looks like
 * to `query-migrate`.
 */
export class MigrationService {
  readonly #context: SimContext;
  readonly #cluster: Cluster;
  readonly #guests: ReadonlyMap<string, Guest>;
  readonly #migrations = new Map<string, Migration>();
  readonly #blocked = new Map<string, {to: string; reasons: string[]; params: MigrationParams}>();
  readonly #keyExchangeFaults = new Set<string>();
  readonly #onEnded: () => void;
  /** Called with source and destination memory at each switch-over (tests and the soak compare them). */
  onSwitchOver: SwitchOverListener | undefined;
  /** Migrates again with the VM's set as it is then (kept by the restart, and any change made while cancelling),
   * through the world's command path. */
  onRestart: ((vm: string, to: string) => void) | undefined;
  /** Destination by VM: a restart carries no parameters, so none set while cancelling is lost. */
  readonly #restarts = new Map<string, string>();

  constructor(
    context: SimContext,
    cluster: Cluster,
    guests: ReadonlyMap<string, Guest>,
    onEnded: () => void,
  ) {
    this.#context = context;
    this.#cluster = cluster;
    this.#guests = guests;
    this.#onEnded = onEnded;
  }

  /** What one migration needs from the cluster; each gets its own RNG stream, forked the same way. */
  #environment(): MigrationEnvironment {
    const context = this.#context;
    return {
      context,
      rng: context.rng.fork('migration'),
      linkBandwidthFor: (migration) => this.#linkBandwidthFor(migration),
      isLinkDown: (a, b) => this.#cluster.links.isDown(a, b),
      createBackends: (guest, memory) =>
        createBackends(context, guest.config, memory, {
          isAccessPlatformForced: guest.hasConfidentialGuestSupport,
          checkers: guest.checkers,
          disk: guest.disk,
        }).backends,
      takeKeyExchangeFault: (guest) => this.#keyExchangeFaults.delete(guest.name),
      onEnded: (vm, status) => this.#ended(vm, status),
      onSwitchOver: (source, target) => this.onSwitchOver?.(source, target),
    };
  }

  /** Why `guest` cannot move to `destination`, empty when it can. */
  blockers(guest: Guest, destination: Host): string[] {
    return migrationBlockers(guest, destination, this.#cluster.links, (host) =>
      this.#cluster.freeBytes(host, this.#guests.values()),
    );
  }

  /** Which hosts would take the guest, and why the others would not. */
  checks(guest: Guest): MigrationCheck[] {
    return [...this.#cluster.hosts.values()]
      .filter((host) => host !== guest.host)
      .map((host) => ({host: host.name, blockedReasons: this.blockers(guest, host)}));
  }

  /**
   * The cluster's part of `migrate`, after the lifecycle accepted it and the parameters were
   * checked (command-dispatch.ts withParams). `isDryRun` answers without starting anything or
   * remembering the refusal. A refusal leaves the record of a migration that ran before as it
   * was: QEMU's migrate_prepare refuses before migrate_init resets the MigrationState that
   * query-migrate reads (qemu/qemu migration/migration.c qmp_migrate, fill_source_migration_info).
   */
  start(guest: Guest, destination: Host, full: MigrationParams, isDryRun = false): CheckedResult {
    const reasons = this.blockers(guest, destination);
    if (reasons.length > 0) {
      if (!isDryRun && !this.#migrations.has(guest.name))
        this.#blocked.set(guest.name, {to: destination.name, reasons, params: full});
      return {ok: false, code: 'migration-blocked', reason: reasons.join('; ')};
    }
    if (isDryRun) return {ok: true};
    if (this.#migrations.get(guest.name)?.isActive)
      invariantBroken(
        `migrations: ${guest.name} started while its migration is active (the lifecycle refuses that)`,
      );
    const migration = new Migration(this.#environment(), guest, destination, full);
    this.#migrations.set(guest.name, migration);
    this.#blocked.delete(guest.name);
    migration.start();
    return {ok: true};
  }

  /**
   * The VM's new parameters (checked, and stored by the caller: command-dispatch.ts withParams) told
   * to its running migration, in force from its next send as QEMU applies them at once (qemu/qemu
   * migration/options.c `migrate_params_apply`, migration_rate_set when a migration runs); with
   * none running they wait for the next.
   */
  tellRunning(vm: string, full: MigrationParams, isDryRun = false): CheckedResult {
    const migration = this.#migrations.get(vm);
    if (!migration?.isActive) return {ok: true, message: 'kept for the next migration'};
    if (!isDryRun) migration.params = full;
    return {
      ok: true,
      message: `max-bandwidth ${bandwidthText(full)}, downtime-limit ${full.downtimeLimitMs} ms`,
    };
  }

  /**
   * A capability such as auto-converge cannot change while a migration runs (QEMU's
   * migrate-set-capabilities refuses: "There's a migration process in progress"), so management
   * cancels, sets it and migrates again: this does those three steps. The new migration starts
   * once the old one is cancelled, through the same command path as any `migrate`.
   */
  restart(vm: string, full: MigrationParams, isDryRun = false): CheckedResult {
    const migration = this.#running(vm);
    if (!migration) return {ok: false, code: 'not-migrating', reason: `${vm} is not migrating`};
    if ((Object.keys(full) as (keyof MigrationParams)[]).every((key) => full[key] === migration.params[key]))
      return {
        ok: false,
        code: 'no-change',
        reason: `the migration of ${vm} already runs with those settings`,
      };
    const cancelled = migration.cancel(isDryRun);
    if (!cancelled.ok) return cancelled;
    if (!isDryRun) this.#restarts.set(vm, migration.destination.name);
    return {
      ok: true,
      message: `cancelling; it migrates to ${migration.destination.name} again once cancelled`,
    };
  }

  #running(vm: string): Migration | undefined {
    const migration = this.#migrations.get(vm);
    return migration?.isActive && migration.status !== 'cancelling' ? migration : undefined;
  }

  /** A migration ended: the world learns of it, and a restart asked for starts now. */
  #ended(vm: string, status: MigrationStatus): void {
    this.#onEnded();
    const to = this.#restarts.get(vm);
    if (to === undefined) return;
    this.#restarts.delete(vm);
    if (status === 'cancelled') this.onRestart?.(vm, to);
  }

  /**
   * A migrate while the last one is still being cancelled waits for it: QEMU refuses it as well,
   * CANCELLING being a running state (qemu/qemu migration/migration.c migrate_prepare,
   * migration_is_running, QERR_MIGRATION_ACTIVE; the QMP monitor keeps those words).
   */
  refuseWhileCancelling(vm: string): CheckedResult | null {
    if (this.#migrations.get(vm)?.status !== 'cancelling') return null;
    return {
      ok: false,
      code: 'migration-cancelling',
      reason: `the migration of ${vm} is being cancelled; migrate again when it has stopped`,
    };
  }

  cancel(vm: string, isDryRun = false): CheckedResult {
    const migration = this.#migrations.get(vm);
    if (!migration) return {ok: false, code: 'not-migrating', reason: `${vm} is not migrating`};
    return migration.cancel(isDryRun);
  }

  /** Ends `vm`'s migration in `failed` (its checks stopped holding, or the guest is going away). */
  fail(vm: string, errorDesc: string, isGuestGoing = false): void {
    this.#migrations.get(vm)?.fail(errorDesc, isGuestGoing);
  }

  /** Fails every migration to or from `host` (it left the config) . */
  failInvolving(host: Host, errorDesc: string): void {
    for (const migration of this.#migrations.values())
      if (migration.destination === host || migration.source === host) migration.fail(errorDesc);
  }

  forget(vm: string): void {
    this.#migrations.delete(vm);
    this.#restarts.delete(vm);
    this.#blocked.delete(vm);
  }

  active(vm: string): Migration | undefined {
    return this.#migrations.get(vm);
  }

  injectKeyExchangeFault(vm: string): void {
    this.#keyExchangeFaults.add(vm);
  }

  snapshot(vm: string): MigrationSnapshot | null {
    const blocked = this.#blocked.get(vm);
    if (blocked) {
      return {
        status: 'failed',
        to: blocked.to,
        totalTimeMs: 0,
        setupTimeMs: 0,
        expectedDowntimeMs: 0,
        downtimeMs: 0,
        blockedReasons: blocked.reasons,
        errorDesc: 'blocked before start',
        throttlePercent: 0,
        ram: BLOCKED_RAM,
        phase: null,
        encryptedPages: 0,
        isBandwidthMeasured: false,
        isDirtyRateMeasured: false,
        thresholdBytes: 0,
        parameters: parametersOf(blocked.params),
        convergence: null,
      };
    }
    return this.#migrations.get(vm)?.snapshot() ?? null;
  }

  /** What the link gives a migration now: its bandwidth, shared with the others on it. */
  #linkBandwidthFor(migration: MigrationRoute): number {
    const key = linkKey(migration.source.name, migration.destination.name);
    const link = this.#cluster.links.bandwidthBytesPerSecond(
      migration.source.name,
      migration.destination.name,
    );
    let sharing = 0;
    for (const other of this.#migrations.values())
      if (other.isActive && linkKey(other.source.name, other.destination.name) === key) sharing++;
    return link / Math.max(1, sharing);
  }
}
