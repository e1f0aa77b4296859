import {invariantBroken} from '../core/assert.js';
import {refusedLine} from './command-log.js';
import type {EventLog, Severity} from '../core/event-log.js';
import type {Rng} from '../core/rng.js';
import type {Scheduler} from '../core/scheduler.js';
import {Cluster} from './cluster.js';
import {migrationGoneBecause, type GuestGoing} from './config-plan.js';
import type {GuestConfig, WorldConfig} from './config/world-schema.js';
import {Guest, type CheckedResult} from './guest.js';
import {runGuestCommand, type CheckableCommand, type GuestCommand} from './command-dispatch.js';
import {GuestImages} from './guest-images.js';
import {GuestStats} from './guest-stats.js';
import type {Host} from './host.js';
import {linkKey, type Links} from './migration/links.js';
import type {Migration} from './migration/migration.js';
import type {MigrationParams} from './migration/migration-params.js';
import type {MigrationCheck} from './migration/migration-blockers.js';
import {MigrationService, type SwitchOverListener} from './migration/migration-service.js';
import {Simulation} from './sim-context.js';
import type {WorldSnapshot} from './snapshot-types.js';
import {buildWorldSnapshot, SnapshotCache} from './world-snapshot.js';
import {reloadConfig} from './world-reload.js';

export {HISTORY_SAMPLES, STATS_INTERVAL_US} from './guest-stats.js';
export type {GuestCommand} from './command-dispatch.js';

export interface WorldOptions {
  readonly seed: number;
  readonly eventLogCapacity?: number;
}

/**
 * The simulated cluster's facade: hosts, guests, links and migrations on one simulation context.
 * Callers advance time, read snapshots and send commands, which return results (with a refusal
 * code) and never throw for operating errors. The parts live apart: the simulation context, the
 * cluster, the migration service, guest statistics, the snapshot builder and the config plan.
 */
export class World {
  readonly seed: number;
  readonly guests = new Map<string, Guest>();
  config: WorldConfig;
  readonly #sim: Simulation;
  readonly #cluster: Cluster;
  readonly #migrations: MigrationService;
  readonly #stats: GuestStats;
  readonly #snapshots = new SnapshotCache();
  readonly #images = new GuestImages();
  readonly #listeners = new Set<() => void>();

  constructor(config: WorldConfig, options: WorldOptions) {
    this.seed = options.seed >>> 0;
    this.#sim = new Simulation(this.seed, options.eventLogCapacity);
    this.config = config;
    this.#cluster = new Cluster(config);
    this.#migrations = new MigrationService(this.#sim, this.#cluster, this.guests, () => this.#changed());
    this.#migrations.onRestart = (vm, to) => this.migrate(vm, to);
    this.#stats = new GuestStats(this.#sim);
    for (const guestConfig of config.guests) this.addGuest(guestConfig);
    const invalidate = () => this.#snapshots.invalidate();
    this.#stats.start(() => this.guests.values(), invalidate);
  }

  get scheduler(): Scheduler {
    return this.#sim.scheduler;
  }

  get rng(): Rng {
    return this.#sim.rng;
  }

  get events(): EventLog {
    return this.#sim.events;
  }

  get hosts(): ReadonlyMap<string, Host> {
    return this.#cluster.hosts;
  }

  get links(): Links {
    return this.#cluster.links;
  }

  get nowUs(): number {
    return this.#sim.scheduler.nowUs;
  }

  emit(vm: string | null, kind: string, severity: Severity, message: string): void {
    this.#sim.emit(vm, kind, severity, message);
  }

  /** Boots every guest that has not started yet. */
  start(): void {
    for (const guest of this.guests.values()) if (guest.lifecycle.stage.kind === 'off') guest.start();
    this.#changed();
  }

  /** Runs the simulation up to `timeUs`. */
  advanceTo(timeUs: number): void {
    this.#sim.scheduler.runUntil(timeUs);
    this.#changed();
  }

  advanceBy(deltaUs: number): void {
    this.advanceTo(this.#sim.scheduler.nowUs + deltaUs);
  }

  /** Tells `listener` after every advance, command and config change (QMP monitors raise events then). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `run` on behalf of `origin` (a QMP client, `qmp#3`): the events it causes name it. */
  runWithOrigin<T>(origin: string, run: () => T): T {
    return this.#sim.runWithOrigin(origin, run);
  }

  // ---- building ----

  addGuest(config: GuestConfig): Guest {
    const host = this.#cluster.hosts.get(config.host);
    if (!host) throw new Error(`guest ${config.name}: unknown host ${config.host}`);
    if (this.guests.has(config.name)) invariantBroken(`world: guest ${config.name} added twice`);
    const guest = new Guest(this.#sim, config, host, this.#images.imageFor(config), {
      failMigration: (failing, errorDesc) => this.#migrations.fail(failing.name, errorDesc),
    });
    this.guests.set(config.name, guest);
    this.#stats.track(config.name);
    return guest;
  }

  removeGuest(name: string, why: GuestGoing = 'removed'): void {
    const guest = this.guests.get(name);
    if (!guest) return;
    this.#migrations.fail(name, migrationGoneBecause(name, why), true);
    guest.destroy();
    this.guests.delete(name);
    this.#stats.forget(name);
    this.#migrations.forget(name);
  }

  /** Applies a new, valid config live (see `reloadConfig`); reports what it did. */
  applyConfig(config: WorldConfig): string[] {
    const lines = reloadConfig(this, this.#parts(), this.config, config);
    this.config = config;
    this.#changed();
    return lines;
  }

  // ---- commands ----

  guest(name: string): Guest | undefined {
    return this.guests.get(name);
  }

  /**
   * Runs a command on a guest and logs its answer: every command, from a key, a scenario or a fault
   * injector, says in the events whether it worked or why not.
   */
  runOnGuest(name: string, command: string, run: (guest: Guest) => CheckedResult): CheckedResult {
    const guest = this.guests.get(name);
    const result: CheckedResult = guest
      ? run(guest)
      : {ok: false, code: 'no-such-vm', reason: `no guest named "${name}"`};
    if (result.ok)
      this.emit(name, 'command', 'info', `${command}: ok${result.message ? ` (${result.message})` : ''}`);
    else this.emit(guest ? name : null, 'command', 'warning', refusedLine(command, result.reason));
    this.#changed();
    return result;
  }

  /** Runs a guest command, logging its answer as `label`. */
  command(vm: string, command: GuestCommand, label: string = command.do): CheckedResult {
    return this.runOnGuest(vm, label, (guest) => runGuestCommand(this.#parts(), guest, command, false));
  }

  /** Answers a command exactly as running it would, changing nothing and logging nothing. */
  check(vm: string, command: CheckableCommand): CheckedResult {
    const guest = this.guests.get(vm);
    if (!guest) return {ok: false, code: 'no-such-vm', reason: `no guest named "${vm}"`};
    return runGuestCommand(this.#parts(), guest, command, true);
  }

  pause(vm: string): CheckedResult {
    return this.command(vm, {do: 'pause'});
  }

  resume(vm: string): CheckedResult {
    return this.command(vm, {do: 'resume'});
  }

  reboot(vm: string): CheckedResult {
    return this.command(vm, {do: 'reboot'});
  }

  secure(vm: string): CheckedResult {
    return this.command(vm, {do: 'secure'});
  }

  unsecure(vm: string): CheckedResult {
    return this.command(vm, {do: 'unsecure'});
  }

  setPolicy(vm: string, policy: GuestConfig['dmaPolicy']): CheckedResult {
    return this.command(vm, {do: 'policy', policy});
  }

  setWorkload(vm: string, workload: GuestConfig['workload']): CheckedResult {
    return this.command(vm, {do: 'workload', workload});
  }

  /** Sets the balloon's size; refused for a secure guest (the host reclaims nothing) unless forced. */
  balloon(vm: string, targetBytes: number, isForced = false): CheckedResult {
    return this.command(vm, {do: 'balloon', targetBytes, isForced});
  }

  crash(vm: string, message = 'fault injected by svmtop'): CheckedResult {
    return this.runOnGuest(vm, 'fault crash', (guest) => guest.dispatch({type: 'crash', message}));
  }

  /** Which hosts would take the guest, and why the others would not. */
  migrationChecks(vm: string): MigrationCheck[] {
    const guest = this.guests.get(vm);
    return guest ? this.#migrations.checks(guest) : [];
  }

  migrate(vm: string, to: string, params: Partial<MigrationParams> = {}): CheckedResult {
    return this.command(vm, {do: 'migrate', to, params}, `migrate to ${to}`);
  }

  migrateCancel(vm: string): CheckedResult {
    return this.command(vm, {do: 'migrate-cancel'});
  }

  /** Called with source and destination memory at each switch-over (tests and the soak compare them). */
  set onSwitchOver(listener: SwitchOverListener | undefined) {
    this.#migrations.onSwitchOver = listener;
  }

  get onSwitchOver(): SwitchOverListener | undefined {
    return this.#migrations.onSwitchOver;
  }

  /** Takes a link down (or back up); migrations over it fail at their next send. */
  setLinkDown(a: string, b: string, isDown: boolean): CheckedResult {
    const {hosts, links} = this.#cluster;
    if (!hosts.has(a) || !hosts.has(b) || a === b)
      return {ok: false, code: 'fault-not-applicable', reason: `no link between "${a}" and "${b}"`};
    links.setDown(a, b, isDown);
    this.emit(null, 'fault', isDown ? 'warning' : 'info', `link ${linkKey(a, b)} ${isDown ? 'down' : 'up'}`);
    this.#changed();
    return {ok: true};
  }

  /** Makes the next ultravisor key exchange for `vm` fail (fault injection). */
  injectKeyExchangeFault(vm: string): CheckedResult {
    return this.runOnGuest(vm, 'fault key-exchange', () => {
      this.#migrations.injectKeyExchangeFault(vm);
      return {ok: true, message: 'the next ultravisor key exchange will fail'};
    });
  }

  activeMigration(vm: string): Migration | undefined {
    return this.#migrations.active(vm);
  }

  getSnapshot(options: {withHistory?: boolean} = {}): WorldSnapshot {
    const withHistory = options.withHistory ?? false;
    const sources = {...this.#parts(), nowUs: this.nowUs, guests: this.guests, stats: this.#stats};
    return this.#snapshots.get(withHistory, () => buildWorldSnapshot(sources, withHistory));
  }

  #parts() {
    return {cluster: this.#cluster, migrations: this.#migrations};
  }

  #changed(): void {
    this.#snapshots.invalidate();
    for (const listener of this.#listeners) listener();
  }
}
