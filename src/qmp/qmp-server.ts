import {chmodSync, lstatSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {BALLOON_COMMANDS} from './commands-balloon.js';
import {CONTROL_COMMANDS} from './commands-control.js';
import {MIGRATION_COMMANDS} from './commands-migration.js';
import {VIRTIO_COMMANDS} from './commands-virtio.js';
import {VM_COMMANDS} from './commands-vm.js';
import {X_SVMTOP_COMMANDS} from './commands-x-svmtop.js';
import type {QmpEvent} from './event-watcher.js';
import type {MonitorCommand} from './monitor-context.js';
import {inspectSocketPath, socketPathRefusal, type SocketProbe} from './socket-file.js';
import {VmMonitor} from './vm-monitor.js';
import {WallClockMap} from './wall-clock-map.js';
import type {TimerLike, WorldPort} from './world-port.js';

/** How often, in simulated time, monitors with clients look at their VM (the shortest phase svmtop has is 5 ms). */
export const QMP_PROBE_INTERVAL_US = 1_000;
/** Events held between two world changes, at most (a bound like everything else). */
export const QMP_EVENT_QUEUE_MAX = 100_000;
/** sun_path holds 108 bytes with its terminating NUL. */
const SOCKET_PATH_BYTES_MAX = 107;

/** Where VM `vm`'s monitor listens under `--qmp dir`. */
export function qmpSocketPath(dir: string, vm: string): string {
  return join(dir, `${vm}.qmp`);
}

const isSocketPathTooLong = (path: string) => Buffer.byteLength(path) > SOCKET_PATH_BYTES_MAX;

/**
 * Refuses to start when another process listens on one of the sockets, or the probe cannot tell
 * (EACCES, say), before any is replaced: two runs on one directory would take each other's
 * monitors (see inspectSocketPath). One path at a time, stopping at the first refused: the run
 * refused connects to it once, not to each.
 */
export async function refuseLiveSockets(
  dir: string,
  vms: Iterable<string>,
  probe?: SocketProbe,
): Promise<void> {
  for (const vm of vms) {
    const path = qmpSocketPath(dir, vm);
    if (isSocketPathTooLong(path)) continue;
    const finding = await inspectSocketPath(path, probe);
    // A file that is no socket is left to the monitor, which reports it and goes on without one.
    if (finding.state === 'live' || finding.state === 'unreachable')
      throw new QmpSetupError(`--qmp ${dir}: ${socketPathRefusal(path, finding)}`);
  }
}

/**
 * Refuses a directory whose socket paths do not fit sun_path, naming the longest: QEMU refuses to
 * start on one too (qemu/qemu util/qemu-sockets.c unix_listen_saddr: "UNIX socket path '%s' is too long").
 */
export function checkQmpSocketPaths(dir: string, vms: Iterable<string>): void {
  let longest: string | undefined;
  for (const vm of vms) {
    const path = qmpSocketPath(dir, vm);
    if (Buffer.byteLength(path) > Buffer.byteLength(longest ?? '')) longest = path;
  }
  if (longest !== undefined && isSocketPathTooLong(longest))
    throw new QmpSetupError(
      `--qmp ${dir}: UNIX socket path '${longest}' is too long (${Buffer.byteLength(longest)} bytes; at most ${SOCKET_PATH_BYTES_MAX})`,
    );
}

export const QMP_COMMANDS: ReadonlyMap<string, MonitorCommand> = new Map(
  [
    ...CONTROL_COMMANDS,
    ...VM_COMMANDS,
    ...BALLOON_COMMANDS,
    ...MIGRATION_COMMANDS,
    ...VIRTIO_COMMANDS,
    ...X_SVMTOP_COMMANDS,
  ].map((command) => [command.name, command]),
);

export class QmpSetupError extends Error {}

export interface QmpServerOptions {
  readonly dir: string;
  readonly port: WorldPort;
  /** Wall-clock time in microseconds since the epoch (injected in tests). */
  readonly wallClockUs?: () => number;
  /** Told whenever a client connects or leaves. */
  readonly onClientsChanged?: (count: number) => void;
}

/**
 * `--qmp DIR`: a QMP monitor per VM at `DIR/<vm>.qmp`, following the world's VMs as the config
 * changes. Events are raised in simulated time and stamped with the wall time the runner mapped
 * it to: the server anchors simulated to wall time whenever the world settles (after each
 * advance and each command) and interpolates between anchors.
 */
export class QmpServer {
  readonly dir: string;
  readonly #port: WorldPort;
  readonly #clock: WallClockMap;
  readonly #wallClockUs: () => number;
  readonly #monitors = new Map<string, VmMonitor>();
  readonly #starting = new Map<string, Promise<void>>();
  /**
   * VMs whose socket could not be made, with the incarnation that tried: it is told once and not
   * tried again on every world change; a VM removed and added again, or recreated by a reload, tries anew.
   */
  readonly #failed = new Map<string, object>();
  /** Every monitor opened and not yet closed, for the exit hook (starting ones included). */
  readonly #unclosed = new Set<VmMonitor>();
  #queue: Array<{monitor: VmMonitor; event: QmpEvent}> = [];
  #probe: TimerLike | undefined;
  #originCount = 0;
  #isClosed = false;
  readonly #unsubscribe: () => void;

  private constructor(private readonly options: QmpServerOptions) {
    this.dir = options.dir;
    this.#port = options.port;
    this.#wallClockUs =
      options.wallClockUs ?? (() => Math.round((performance.timeOrigin + performance.now()) * 1000));
    this.#clock = new WallClockMap(this.#port.nowUs, this.#wallClockUs());
    this.#unsubscribe = this.#port.onChanged(() => this.#onWorldChanged());
  }

  /** Prepares the directory and opens a socket per VM. Throws QmpSetupError with one clear line. */
  static async start(options: QmpServerOptions): Promise<QmpServer> {
    checkQmpSocketPaths(options.dir, options.port.vmNames());
    prepareQmpDirectory(options.dir);
    await refuseLiveSockets(options.dir, options.port.vmNames());
    const server = new QmpServer(options);
    // An exit that skips close() (process.exit when stdout fails, an uncaught error) still removes them.
    process.on('exit', server.#removeSocketsNow);
    server.#syncMonitors();
    await Promise.all(server.#starting.values());
    return server;
  }

  get clientCount(): number {
    let count = 0;
    for (const monitor of this.#monitors.values()) count += monitor.clientCount;
    return count;
  }

  socketPath(vm: string): string {
    return qmpSocketPath(this.dir, vm);
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    this.#unsubscribe();
    this.#probe?.cancel();
    await Promise.all(this.#starting.values());
    await Promise.all([...this.#monitors.values()].map((monitor) => this.#close(monitor)));
    this.#monitors.clear();
    // Only now: an exit while monitors were closing still removed their sockets.
    process.off('exit', this.#removeSocketsNow);
  }

  /** Synchronously unlinks the sockets this process created and still holds (nobody else's). */
  readonly #removeSocketsNow = (): void => {
    for (const monitor of this.#unclosed) monitor.removeSocketNow();
  };

  #close(monitor: VmMonitor): Promise<void> {
    this.#unclosed.delete(monitor);
    return monitor.close().catch(() => undefined);
  }

  #onWorldChanged(): void {
    if (this.#isClosed) return;
    this.#clock.anchor(this.#port.nowUs, this.#wallClockUs());
    this.#syncMonitors();
    this.#probeAll();
    this.#flush();
  }

  /** Opens sockets for new VMs, closes those of removed ones, restarts recreated ones. */
  #syncMonitors(): void {
    const names = new Set(this.#port.vmNames());
    for (const [vm, monitor] of this.#monitors) {
      const identity = this.#port.vmIdentity(vm);
      if (!names.has(vm) || !identity) {
        this.#monitors.delete(vm);
        void this.#close(monitor);
        this.#notifyClients();
      } else if (identity !== monitor.identity) monitor.restart(identity);
    }
    for (const [vm, identity] of this.#failed)
      if (this.#port.vmIdentity(vm) !== identity) this.#failed.delete(vm);
    for (const vm of names)
      if (!this.#monitors.has(vm) && !this.#starting.has(vm) && !this.#failed.has(vm)) this.#open(vm);
  }

  /** The one warning for a VM whose socket could not be made; it is not tried again (see #failed). */
  #giveUp(vm: string, identity: object, why: string): void {
    this.#failed.set(vm, identity);
    this.#port.log(vm, 'qmp', 'warning', `no QMP socket: ${why}`);
  }

  #open(vm: string): void {
    const path = this.socketPath(vm);
    const identity = this.#port.vmIdentity(vm)!;
    // Checked at start (checkQmpSocketPaths); a VM a live config edit adds only gets a warning.
    if (isSocketPathTooLong(path)) {
      this.#giveUp(vm, identity, `${path} is longer than ${SOCKET_PATH_BYTES_MAX} bytes`);
      return;
    }
    const monitor = new VmMonitor(vm, identity, path, {
      port: this.#port,
      commands: QMP_COMMANDS,
      nextOrigin: () => `qmp#${++this.#originCount}`,
      sendNow: (source, events) => source.broadcast(events, () => this.#wallClockUs()),
      onClientsChanged: () => this.#notifyClients(),
      onNegotiated: (source) => {
        source.watcher.reset();
        this.#observe(source);
        this.#armProbe();
      },
    });
    this.#unclosed.add(monitor);
    const starting = monitor
      .listen()
      .then(() => {
        if (this.#isClosed || this.#port.vmIdentity(vm) !== identity) void this.#close(monitor);
        else this.#monitors.set(vm, monitor);
      })
      .catch((error: unknown) => {
        this.#unclosed.delete(monitor);
        this.#giveUp(vm, identity, error instanceof Error ? error.message : String(error));
      })
      .finally(() => this.#starting.delete(vm));
    this.#starting.set(vm, starting);
  }

  #notifyClients(): void {
    this.options.onClientsChanged?.(this.clientCount);
  }

  /** Probes every monitor with negotiated clients every QMP_PROBE_INTERVAL_US while there are any. */
  #armProbe(): void {
    if (this.#probe || this.#isClosed) return;
    this.#probe = this.#port.after(QMP_PROBE_INTERVAL_US, () => {
      this.#probe = undefined;
      if (this.#probeAll()) this.#armProbe();
    });
  }

  /** @returns whether any monitor is still watching */
  #probeAll(): boolean {
    let isWatching = false;
    for (const monitor of this.#monitors.values()) {
      if (!monitor.hasNegotiatedClients) continue;
      isWatching = true;
      this.#observe(monitor);
    }
    return isWatching;
  }

  #observe(monitor: VmMonitor): void {
    const facts = this.#port.facts(monitor.vm);
    if (!facts) return;
    for (const event of monitor.watcher.observe(facts, this.#port.nowUs))
      if (this.#queue.length < QMP_EVENT_QUEUE_MAX) this.#queue.push({monitor, event});
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const {monitor, event} of queue) monitor.broadcast([event], (tUs) => this.#clock.wallUsAt(tUs));
  }
}

/**
 * The socket directory: created 0700 if missing; if it exists it must be a directory of ours
 * that nobody else can enter (svmtop never changes the mode of a directory it did not create).
 */
export function prepareQmpDirectory(dir: string): void {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    try {
      mkdirSync(dir, {recursive: true, mode: 0o700});
      chmodSync(dir, 0o700);
    } catch (error) {
      throw new QmpSetupError(`--qmp ${dir}: cannot create the directory (${(error as Error).message})`);
    }
    return;
  }
  if (!stat.isDirectory()) throw new QmpSetupError(`--qmp ${dir}: not a directory`);
  if (process.getuid && stat.uid !== process.getuid())
    throw new QmpSetupError(
      `--qmp ${dir}: owned by another user (uid ${stat.uid}); use a directory of your own`,
    );
  if ((stat.mode & 0o077) !== 0)
    throw new QmpSetupError(
      `--qmp ${dir}: others can enter it (mode ${(stat.mode & 0o777).toString(8)}); QMP sockets need a directory only you can use (chmod 700, or name a new one)`,
    );
}
