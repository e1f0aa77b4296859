import type {KeyObject} from 'node:crypto';
import type {GuestMemory} from '../core/guest-memory.js';
import {EventLog, type Severity, type WorldEvent} from '../core/event-log.js';
import {Rng} from '../core/rng.js';
import {Scheduler} from '../core/scheduler.js';
import {formatSize} from '../core/units.js';
import type {GuestConfig, WorldConfig} from './config/world-schema.js';
import {Guest, type CommandResult} from './guest.js';
import {snapshotGuest, type GuestRates} from './guest-snapshot.js';
import {Host} from './host.js';
import {Links, linkKey} from './migration/links.js';
import {Migration, MIGRATION_DEFAULTS, type MigrationParams} from './migration/migration.js';
import {migrationBlockers, type MigrationCheck} from './migration/migration-blockers.js';
import type {SimContext} from './sim-context.js';
import type {HostSnapshot, WorldSnapshot} from './snapshot-types.js';
import {guestImageBytes, publicKeyFromBase64} from './ticket.js';
import {createBackends} from './virtio/create-backends.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-backend.js';
import {applyConfigChange} from './apply-config.js';

export interface WorldOptions {
  readonly seed: number;
  readonly eventLogCapacity?: number;
}

/** Samples are taken once per simulated second; histories keep this many. */
export const STATS_INTERVAL_US = 1_000_000;
export const HISTORY_SAMPLES = 60;

interface GuestStats {
  lastBytes: number;
  lastRequests: number;
  bytesPerSecond: number;
  requestsPerSecond: number;
  history: number[];
  recentPeak: number;
  lastBalloonPages: number;
}

/**
 * The simulated cluster: hosts, guests, links and migrations on one scheduler, seeded RNG and
 * event log. It owns all state; callers advance time, read snapshots and send commands, which
 * return results and never throw for operating errors.
 */
export class World implements SimContext {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly events: EventLog;
  readonly seed: number;
  hosts = new Map<string, Host>();
  readonly guests = new Map<string, Guest>();
  links: Links;
  config: WorldConfig;
  readonly #migrations = new Map<string, Migration>();
  readonly #stats = new Map<string, GuestStats>();
  readonly #listeners = new Set<() => void>();
  readonly #imageCache = new Map<string, Buffer>();
  readonly #keyExchangeFaults = new Set<string>();
  /** The last refused migration per guest, shown with its reasons until another one starts. */
  readonly #blocked = new Map<string, {to: string; reasons: string[]}>();
  #keys: Map<string, KeyObject>;
  #version = 0;
  #cachedSnapshot: {version: number; withHistory: boolean; snapshot: WorldSnapshot} | undefined;

  constructor(config: WorldConfig, options: WorldOptions) {
    this.seed = options.seed >>> 0;
    this.rng = new Rng(this.seed);
    this.events = new EventLog(options.eventLogCapacity);
    this.config = config;
    this.#keys = buildKeys(config);
    this.links = new Links(config.links);
    for (const hostConfig of config.hosts) this.hosts.set(hostConfig.name, new Host(hostConfig, this.#keys));
    for (const guestConfig of config.guests) this.addGuest(guestConfig);
    this.#scheduleStats();
  }

  emit(vm: string | null, kind: string, severity: Severity, message: string): void {
    const event: WorldEvent = {tUs: this.scheduler.nowUs, vm, kind, severity, message};
    this.events.append(event);
  }

  get nowUs(): number {
    return this.scheduler.nowUs;
  }

  /** Boots every guest that has not started yet. */
  start(): void {
    for (const guest of this.guests.values()) if (guest.bootCount === 0) guest.start();
    this.#changed();
  }

  /** Runs the simulation up to `timeUs`, then tells subscribers once. */
  advanceTo(timeUs: number): void {
    this.scheduler.runUntil(timeUs);
    this.#changed();
  }

  advanceBy(deltaUs: number): void {
    this.advanceTo(this.scheduler.nowUs + deltaUs);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- building ----

  addGuest(config: GuestConfig): Guest {
    const host = this.hosts.get(config.host);
    if (!host) throw new Error(`guest ${config.name}: unknown host ${config.host}`);
    const guest = new Guest(this, config, host, this.#image(config), {
      failMigration: (failing, errorDesc) => this.#migrations.get(failing.name)?.fail(errorDesc),
    });
    this.guests.set(config.name, guest);
    this.#stats.set(config.name, {
      lastBytes: 0,
      lastRequests: 0,
      bytesPerSecond: 0,
      requestsPerSecond: 0,
      history: [],
      recentPeak: 0,
      lastBalloonPages: 0,
    });
    return guest;
  }

  removeGuest(name: string): void {
    const guest = this.guests.get(name);
    if (!guest) return;
    this.#migrations.get(name)?.fail('guest removed');
    guest.destroy();
    this.guests.delete(name);
    this.#stats.delete(name);
    this.#migrations.delete(name);
  }

  /** Applies a new, valid config live: guests added, removed or changed; reports what it did. */
  applyConfig(config: WorldConfig): string[] {
    const changes = applyConfigChange(this, config);
    this.config = config;
    this.#keys = buildKeys(config);
    this.#changed();
    return changes;
  }

  /** Rebuilds hosts whose definition changed (used by live reload; guests keep running). */
  replaceHosts(config: WorldConfig): void {
    this.#keys = buildKeys(config);
    for (const hostConfig of config.hosts) {
      if (!this.hosts.has(hostConfig.name)) this.hosts.set(hostConfig.name, new Host(hostConfig, this.#keys));
    }
    this.links = new Links(config.links);
  }

  #image(config: GuestConfig): Buffer {
    const key = JSON.stringify(config.image);
    let image = this.#imageCache.get(key);
    if (!image) {
      image = guestImageBytes(config.image);
      this.#imageCache.set(key, image);
    }
    return image;
  }

  // ---- commands ----

  guest(name: string): Guest | undefined {
    return this.guests.get(name);
  }

  /**
   * Runs a command on a guest and logs its answer: every command, from a key, a scenario or a fault
   * injector, says in the events whether it worked or why not.
   */
  runOnGuest(name: string, command: string, run: (guest: Guest) => CommandResult): CommandResult {
    const guest = this.guests.get(name);
    const result: CommandResult = guest
      ? run(guest)
      : {ok: false, code: 'no-such-vm', reason: `no guest named "${name}"`};
    if (result.ok)
      this.emit(name, 'command', 'info', `${command}: ok${result.message ? ` (${result.message})` : ''}`);
    else this.emit(guest ? name : null, 'command', 'warning', `${command} refused: ${result.reason}`);
    this.#changed();
    return result;
  }

  pause(vm: string): CommandResult {
    return this.runOnGuest(vm, 'pause', (guest) => guest.pause());
  }

  resume(vm: string): CommandResult {
    return this.runOnGuest(vm, 'resume', (guest) => guest.resume());
  }

  reboot(vm: string): CommandResult {
    return this.runOnGuest(vm, 'reboot', (guest) => guest.reboot());
  }

  secure(vm: string): CommandResult {
    return this.runOnGuest(vm, 'secure', (guest) => guest.secure());
  }

  unsecure(vm: string): CommandResult {
    return this.runOnGuest(vm, 'unsecure', (guest) => guest.unsecure());
  }

  setPolicy(vm: string, policy: GuestConfig['dmaPolicy']): CommandResult {
    return this.runOnGuest(vm, 'policy', (guest) => guest.setDmaPolicy(policy));
  }

  setWorkload(vm: string, workload: GuestConfig['workload']): CommandResult {
    return this.runOnGuest(vm, 'workload', (guest) => guest.setWorkload(workload));
  }

  /** Sets the balloon's size; refused for a secure guest (the host reclaims nothing) unless forced. */
  balloon(vm: string, targetBytes: number, isForced = false): CommandResult {
    return this.runOnGuest(vm, 'balloon', (guest) => {
      const backend = guest.backends.find((candidate) => candidate.type === 'balloon') as
        BalloonBackend | undefined;
      if (!backend) return {ok: false, reason: `${vm} has no virtio-balloon device`};
      const driver = guest.driverFor(backend);
      if (driver?.status === 'refused')
        return {
          ok: false,
          reason: `the balloon was refused at probe: device must provide VIRTIO_F_ACCESS_PLATFORM (dmaPolicy restricted, guest secure)`,
        };
      if (guest.isProtected && !isForced) {
        return {
          ok: false,
          reason: `${vm} is ${guest.securityState}: its pages are secure, so the host would reclaim nothing (force to inflate anyway)`,
        };
      }
      if (guest.isHalted) return {ok: false, reason: `${vm} is halted`};
      const capacity = guest.layout.balloonHighestPfn - guest.layout.balloonLowestPfn + 1;
      const pages = Math.max(0, Math.min(Math.floor(targetBytes / BALLOON_PAGE_BYTES), capacity));
      backend.setTarget(pages);
      return {
        ok: true,
        message: `target ${formatSize(pages * BALLOON_PAGE_BYTES)}${isForced && guest.isProtected ? ', forced on a secure guest' : ''}`,
      };
    });
  }

  crash(vm: string, message = 'fault injected by svmtop'): CommandResult {
    return this.runOnGuest(vm, 'fault crash', (guest) => guest.crash(message));
  }

  /** Which hosts would take the guest, and why the others would not. */
  migrationChecks(vm: string): MigrationCheck[] {
    const guest = this.guests.get(vm);
    if (!guest) return [];
    return [...this.hosts.values()]
      .filter((host) => host !== guest.host)
      .map((host) => ({
        host: host.name,
        blockedReasons: migrationBlockers(guest, host, this.links, (candidate) =>
          this.hostFreeBytes(candidate),
        ),
      }));
  }

  migrate(vm: string, to: string, params: Partial<MigrationParams> = {}): CommandResult {
    return this.runOnGuest(vm, `migrate to ${to}`, (guest) => {
      const destination = this.hosts.get(to);
      if (!destination) return {ok: false, reason: `no host named "${to}"`};
      if (this.#migrations.get(vm)?.isActive) return {ok: false, reason: `${vm} is already migrating`};
      if (guest.isHalted) return {ok: false, reason: `${vm} is halted`};
      if (guest.securityState === 'transitioning')
        return {ok: false, reason: `${vm} is entering secure mode (${guest.phase}); migrate when it is done`};
      const reasons = migrationBlockers(guest, destination, this.links, (host) => this.hostFreeBytes(host));
      if (reasons.length > 0) {
        this.#blocked.set(vm, {to, reasons});
        return {ok: false, reason: reasons.join('; ')};
      }
      const migration = new Migration(this.#migrationEnvironment(), guest, destination, {
        ...MIGRATION_DEFAULTS,
        ...params,
      });
      this.#migrations.set(vm, migration);
      this.#blocked.delete(vm);
      migration.start();
      return {ok: true};
    });
  }

  /** Called with source and destination memory at each switch-over (tests and the soak compare them). */
  onSwitchOver: ((source: GuestMemory, target: GuestMemory) => void) | undefined;

  migrateCancel(vm: string): CommandResult {
    return this.runOnGuest(
      vm,
      'migrate-cancel',
      () => this.#migrations.get(vm)?.cancel() ?? {ok: false, reason: `${vm} is not migrating`},
    );
  }

  /** Takes a link down (or back up); migrations over it fail at their next send. */
  setLinkDown(a: string, b: string, isDown: boolean): CommandResult {
    if (!this.hosts.has(a) || !this.hosts.has(b) || a === b)
      return {ok: false, reason: `no link between "${a}" and "${b}"`};
    this.links.setDown(a, b, isDown);
    this.emit(null, 'fault', isDown ? 'warning' : 'info', `link ${linkKey(a, b)} ${isDown ? 'down' : 'up'}`);
    this.#changed();
    return {ok: true};
  }

  /** Makes the next ultravisor key exchange for `vm` fail (fault injection). */
  injectKeyExchangeFault(vm: string): CommandResult {
    return this.runOnGuest(vm, 'fault key-exchange', () => {
      this.#keyExchangeFaults.add(vm);
      return {ok: true, message: 'the next ultravisor key exchange will fail'};
    });
  }

  activeMigration(vm: string): Migration | undefined {
    return this.#migrations.get(vm);
  }

  #migrationEnvironment() {
    return {
      context: this,
      rng: this.rng.fork('migration'),
      bandwidthFor: (migration: Migration) => {
        const link = this.links.bandwidthBytesPerSecond(migration.source.name, migration.destination.name);
        const sharing = [...this.#migrations.values()].filter(
          (other) =>
            other.isActive &&
            linkKey(other.source.name, other.destination.name) ===
              linkKey(migration.source.name, migration.destination.name),
        ).length;
        return Math.min(migration.params.maxBandwidthBytesPerSecond, link / Math.max(1, sharing));
      },
      isLinkDown: (a: string, b: string) => this.links.isDown(a, b),
      createBackends: (guest: Guest, memory: Parameters<typeof createBackends>[2]) =>
        createBackends(this, guest.config, memory, () => guest.isProtected, guest.disk).backends,
      takeKeyExchangeFault: (guest: Guest) => this.#keyExchangeFaults.delete(guest.name),
      onEnded: () => this.#changed(),
      onSwitchOver: (source: GuestMemory, target: GuestMemory) => this.onSwitchOver?.(source, target),
    };
  }

  // ---- accounting and snapshots ----

  /** Host memory not committed to guests; ballooned pages the host reclaimed count as free. */
  hostFreeBytes(host: Host): number {
    let used = 0;
    for (const guest of this.guests.values()) {
      if (guest.host !== host) continue;
      const balloon = guest.backends.find((backend) => backend.type === 'balloon') as
        BalloonBackend | undefined;
      used += guest.config.memory - (balloon?.reclaimedBytes ?? 0);
    }
    return host.memoryBytes - used;
  }

  getSnapshot(options: {withHistory?: boolean} = {}): WorldSnapshot {
    const withHistory = options.withHistory ?? false;
    const cached = this.#cachedSnapshot;
    if (cached && cached.version === this.#version && cached.withHistory === withHistory)
      return cached.snapshot;
    const hosts: HostSnapshot[] = [...this.hosts.values()].map((host) => ({
      name: host.name,
      ultravisor: host.ultravisor !== null,
      secureMigration: host.secureMigration,
      memory: {
        totalBytes: host.memoryBytes,
        freeBytes: this.hostFreeBytes(host),
        secureTotalBytes: host.ultravisor?.secureMemoryBytes ?? 0,
        secureUsedBytes: host.ultravisor?.secureUsedBytes ?? 0,
      },
    }));
    const vms = [...this.guests.values()].map((guest) => {
      const stats = this.#stats.get(guest.name)!;
      const rates: GuestRates = {
        bytesPerSecond: stats.bytesPerSecond,
        requestsPerSecond: stats.requestsPerSecond,
        swiotlbHistory: [...stats.history],
        swiotlbRecentPeak: stats.recentPeak,
      };
      return snapshotGuest(guest, rates, this.#migrationSnapshot(guest.name), withHistory);
    });
    const snapshot: WorldSnapshot = {tUs: this.scheduler.nowUs, hosts, vms};
    this.#cachedSnapshot = {version: this.#version, withHistory, snapshot};
    return snapshot;
  }

  #migrationSnapshot(vm: string) {
    const migration = this.#migrations.get(vm);
    const blocked = this.#blocked.get(vm);
    if (blocked && (!migration || !migration.isActive)) {
      return {
        status: 'failed' as const,
        to: blocked.to,
        totalTimeMs: 0,
        setupTimeMs: 0,
        expectedDowntimeMs: 0,
        downtimeMs: 0,
        blockedReasons: blocked.reasons,
        errorDesc: 'blocked before start',
        throttlePercent: 0,
        ram: {
          transferred: 0,
          remaining: 0,
          total: 0,
          duplicate: 0,
          normal: 0,
          normalBytes: 0,
          dirtyPagesRate: 0,
          mbps: 0,
          dirtySyncCount: 0,
          pageSize: 0,
          pagesPerSecond: 0,
        },
      };
    }
    return migration?.snapshot() ?? null;
  }

  #scheduleStats(): void {
    this.scheduler.after(STATS_INTERVAL_US, () => {
      for (const guest of this.guests.values()) this.#sample(guest);
      this.#version++;
      this.#scheduleStats();
    });
  }

  #sample(guest: Guest): void {
    const stats = this.#stats.get(guest.name);
    if (!stats) return;
    let bytes = 0;
    for (const backend of guest.backends) bytes += backend.bytesToDevice + backend.bytesFromDevice;
    let requests = 0;
    guest.deviceTotals.forEach((totals) => (requests += totals.completed + totals.failed));
    for (const driver of guest.kernel?.allDrivers() ?? []) requests += driver.completed + driver.failed;
    stats.bytesPerSecond = Math.max(0, bytes - stats.lastBytes);
    stats.requestsPerSecond = Math.max(0, requests - stats.lastRequests);
    stats.lastBytes = bytes;
    stats.lastRequests = requests;
    stats.recentPeak = guest.kernel?.swiotlb?.takeWindowPeak() ?? 0;
    stats.history.push(stats.recentPeak);
    if (stats.history.length > HISTORY_SAMPLES) stats.history.shift();
    this.#reportBalloon(guest, stats);
  }

  /** When the balloon reaches its target, says what the host got back ("inflated X, reclaimed 0"). */
  #reportBalloon(guest: Guest, stats: GuestStats): void {
    const backend = guest.backends.find((candidate) => candidate.type === 'balloon') as
      BalloonBackend | undefined;
    if (!backend || backend.actualPages === stats.lastBalloonPages) return;
    stats.lastBalloonPages = backend.actualPages;
    if (backend.actualPages !== backend.targetPages) return;
    const severity = backend.unreclaimedPages > 0 ? 'warning' : 'info';
    this.emit(
      guest.name,
      'balloon',
      severity,
      `balloon: inflated ${formatSize(backend.actualPages * BALLOON_PAGE_BYTES)}, reclaimed ${formatSize(backend.reclaimedBytes)}`,
    );
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}

function buildKeys(config: WorldConfig): Map<string, KeyObject> {
  return new Map(Object.entries(config.keys).map(([name, raw]) => [name, publicKeyFromBase64(raw)]));
}
