import {chmodSync} from 'node:fs';
import net from 'node:net';
import {greeting} from './commands-control.js';
import {VmEventWatcher, type QmpEvent} from './event-watcher.js';
import type {MonitorCapabilities, MonitorCommand, MonitorContext} from './monitor-context.js';
import type {CommandOutcome} from './qmp-command.js';
import {QmpSession} from './qmp-session.js';
import {
  clearSocketPath,
  linkSocketInto,
  removeOwnSocket,
  socketIdentity,
  type SocketIdentity,
} from './socket-file.js';
import type {WorldPort} from './world-port.js';

/** Clients one VM's socket serves at once (QEMU's chardev serves one; svmtop serves several). */
export const QMP_CLIENTS_PER_SOCKET_MAX = 64;
/**
 * Output a client may leave unread. Past it the client is disconnected: it must never hold
 * memory without bound nor slow the simulation. Large enough for a few 1 MiB replies in flight.
 */
export const QMP_PENDING_OUTPUT_BYTES_MAX = 4 << 20;

export interface MonitorHooks {
  readonly port: WorldPort;
  readonly commands: ReadonlyMap<string, MonitorCommand>;
  readonly nextOrigin: () => string;
  /** Events raised by a command, to send before its reply. */
  readonly sendNow: (monitor: VmMonitor, events: readonly QmpEvent[]) => void;
  readonly onClientsChanged: () => void;
  /** A session finished negotiating: events must start flowing. */
  readonly onNegotiated: (monitor: VmMonitor) => void;
}

/**
 * Negotiation is protocol, not a command on the VM; a query changes nothing, and one a poller
 * repeats would fill the log. Every other command a client names is one the user should see refused.
 */
const isLoggedWhenRefused = (name: string) =>
  name !== 'qmp_capabilities' && !/^(x-)?(svmtop-)?query-/.test(name);

interface Client {
  readonly socket: net.Socket;
  readonly session: QmpSession<MonitorContext>;
  /** Given (and the client logged) at its first byte: see #accept. */
  origin: string | undefined;
}

/**
 * One VM's QMP monitor: a Unix socket at `<dir>/<vm>.qmp` (mode 0600), its clients, the VM's
 * `events` capability and the watcher that raises its events.
 */
export class VmMonitor {
  capabilities: MonitorCapabilities = {events: false};
  readonly watcher = new VmEventWatcher(() => this.capabilities.events);
  readonly #clients = new Set<Client>();
  readonly #server: net.Server;
  /** The socket this monitor created, while it is there: only that one is ever removed. */
  #socket: SocketIdentity | undefined;

  constructor(
    readonly vm: string,
    public identity: object,
    readonly socketPath: string,
    private readonly hooks: MonitorHooks,
  ) {
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get hasNegotiatedClients(): boolean {
    for (const client of this.#clients) if (client.session.isNegotiated) return true;
    return false;
  }

  /**
   * Listens, replacing a stale socket as QEMU does; refuses to replace anything else. libuv
   * unlinks the path a server listened on when it closes, whatever is there by then (libuv
   * src/unix/pipe.c uv__pipe_close), so the server listens on a name of its own, of the same
   * length (`<vm>.qm~`), and links that into place: its close never removes another's socket.
   * Should that fail, it stops listening and leaves nothing behind.
   */
  async listen(): Promise<void> {
    const path = this.socketPath;
    const own = `${path.slice(0, -1)}~`;
    await clearSocketPath(path);
    await clearSocketPath(own);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(own, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    try {
      chmodSync(own, 0o600);
      this.#socket = socketIdentity(own);
      await linkSocketInto(own, path);
    } catch (error) {
      this.removeSocketNow();
      await new Promise((resolve) => this.#server.close(resolve));
      throw error;
    }
  }

  /** The VM was recreated by a config reload: its old clients go, as if its QEMU had exited. */
  restart(identity: object): void {
    this.identity = identity;
    this.capabilities = {events: false};
    this.watcher.reset();
    for (const client of [...this.#clients]) client.socket.destroy();
  }

  async close(): Promise<void> {
    for (const client of [...this.#clients]) client.socket.destroy();
    // While it still listens: once closed, its inode may be reused by a new socket at the path.
    this.removeSocketNow();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Unlinks its socket, synchronously (at exit too), unless another has taken the path since. */
  removeSocketNow(): void {
    if (this.#socket) removeOwnSocket(this.socketPath, this.#socket);
    this.#socket = undefined;
  }

  /** Sends events to every negotiated client. */
  broadcast(events: readonly QmpEvent[], wallUsAt: (tUs: number) => number): void {
    for (const event of events) {
      const wallUs = wallUsAt(event.tUs);
      for (const client of [...this.#clients]) client.session.sendEvent(event, wallUs);
    }
  }

  #accept(socket: net.Socket): void {
    if (this.#clients.size >= QMP_CLIENTS_PER_SOCKET_MAX) {
      this.hooks.port.log(
        this.vm,
        'qmp',
        'warning',
        `QMP client refused: ${this.#clients.size} connected (limit ${QMP_CLIENTS_PER_SOCKET_MAX})`,
      );
      socket.end(
        `{"error": {"class": "GenericError", "desc": "too many QMP clients on ${this.vm} (limit ${QMP_CLIENTS_PER_SOCKET_MAX})"}}\r\n`,
      );
      return;
    }
    let isClosed = false;
    const client: Client = {
      socket,
      origin: undefined,
      session: new QmpSession<MonitorContext>({
        commands: this.hooks.commands,
        context: this.#context(
          () => client.origin!,
          () => this.#disconnectAllSoon(),
        ),
        write: (line) => this.#write(client, line),
        isClosed: () => isClosed || socket.destroyed,
        onNegotiated: () => this.hooks.onNegotiated(this),
        answer: (name, run, supplied) => this.#answer(client, name, run, supplied),
      }),
    };
    this.#clients.add(client);
    socket.on('data', (bytes) => {
      this.#logFirstByte(client);
      client.session.receive(bytes);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      isClosed = true;
      if (!this.#clients.delete(client)) return;
      if (client.origin !== undefined)
        this.hooks.port.log(
          this.vm,
          client.origin,
          'info',
          `QMP client left (${this.#clients.size} connected)`,
        );
      this.hooks.onClientsChanged();
    });
    this.hooks.onClientsChanged();
    client.session.sendGreeting(greeting());
  }

  /**
   * A client is numbered and logged when it first sends something: one that leaves having sent
   * nothing (another svmtop checking that the socket is live) leaves no line, and takes no number.
   * QEMU logs no connection at all.
   */
  #logFirstByte(client: Client): void {
    if (client.origin !== undefined) return;
    client.origin = this.hooks.nextOrigin();
    this.hooks.port.log(
      this.vm,
      client.origin,
      'info',
      `QMP client connected (${this.#clients.size} connected)`,
    );
  }

  /**
   * A command refused is logged once, as the host logs a refusal (`[qmp#3] migrate refused:` and
   * QEMU's words, the reply's), unless the host ran it: then its own line says why. The line bounds
   * what the client wrote (refusedLine); the reply keeps it whole, as QEMU's does.
   */
  #answer(
    client: Client,
    name: string,
    run: () => CommandOutcome,
    supplied: () => readonly string[],
  ): CommandOutcome {
    const {port} = this.hooks;
    const runBefore = port.commandsRun;
    const outcome = run();
    if ('error' in outcome && port.commandsRun === runBefore && isLoggedWhenRefused(name))
      port.logRefusal(this.vm, client.origin!, name, outcome.error.desc, supplied());
    return outcome;
  }

  /** Writes, unless the client has left this much unread: then it is cut off. */
  #write(client: Client, line: string): void {
    const {socket} = client;
    if (socket.destroyed) return;
    if (socket.writableLength > QMP_PENDING_OUTPUT_BYTES_MAX) {
      this.hooks.port.log(
        this.vm,
        client.origin ?? 'qmp',
        'warning',
        `QMP client disconnected: ${socket.writableLength} bytes unread (limit ${QMP_PENDING_OUTPUT_BYTES_MAX})`,
      );
      socket.destroy();
      return;
    }
    socket.write(line);
  }

  #context(origin: () => string, disconnectAll: () => void): MonitorContext {
    const capabilities = () => this.capabilities;
    return {
      vm: this.vm,
      port: this.hooks.port,
      get capabilities() {
        return capabilities();
      },
      get origin() {
        return origin();
      },
      commandNames: [...this.hooks.commands.keys()],
      announce: (kind) => this.hooks.sendNow(this, this.watcher.announce(kind, this.hooks.port.nowUs)),
      disconnectAllAfterReply: disconnectAll,
    };
  }

  /** After the current reply is written: end every connection (quit). */
  #disconnectAllSoon(): void {
    setImmediate(() => {
      for (const client of [...this.#clients]) client.socket.end();
    });
  }
}
