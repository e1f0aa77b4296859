import net from 'node:net';

/** One message from the server: its raw line (CRLF stripped) and the parsed JSON. */
export interface QmpMessage {
  readonly raw: string;
  readonly json: Record<string, unknown>;
}

export const WAIT_MS = 10_000;

/**
 * A QMP client for tests (node:net only): reads CRLF-terminated lines, keeps events apart from
 * replies, and never waits longer than a bound.
 */
export class QmpTestClient {
  readonly socket: net.Socket;
  readonly events: QmpMessage[] = [];
  /** Every line received, in order (events and replies). */
  readonly lines: string[] = [];
  #buffer = '';
  #replies: QmpMessage[] = [];
  #waiters: Array<() => void> = [];
  #isClosed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.#receive(text));
    socket.on('close', () => {
      this.#isClosed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(path: string): Promise<QmpTestClient> {
    const socket = net.connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new QmpTestClient(socket);
  }

  /** Connects, reads the greeting, negotiates; returns the client and the greeting. */
  static async negotiated(path: string): Promise<QmpTestClient> {
    const client = await QmpTestClient.connect(path);
    await client.reply();
    await client.execute('qmp_capabilities');
    return client;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(message: Record<string, unknown>): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends a command and returns its reply (events that arrive meanwhile go to `events`). */
  async execute(command: string, args?: Record<string, unknown>, id?: unknown): Promise<QmpMessage> {
    this.send({execute: command, ...(args && {arguments: args}), ...(id !== undefined && {id})});
    return this.reply();
  }

  /** The next non-event message (the greeting counts), waiting at most WAIT_MS. */
  async reply(waitMs = WAIT_MS): Promise<QmpMessage> {
    await this.#until(() => this.#replies.length > 0 || this.#isClosed, waitMs, 'a reply');
    const reply = this.#replies.shift();
    if (!reply) throw new Error('connection closed before a reply');
    return reply;
  }

  /** Waits until an event satisfying `match` has arrived; returns it. */
  async event(match: (event: QmpMessage) => boolean, waitMs = WAIT_MS): Promise<QmpMessage> {
    await this.#until(() => this.events.some(match), waitMs, 'an event');
    return this.events.find(match)!;
  }

  async closed(waitMs = WAIT_MS): Promise<void> {
    await this.#until(() => this.#isClosed, waitMs, 'the connection to close');
  }

  close(): void {
    this.socket.destroy();
  }

  #receive(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\r\n'); end >= 0; end = this.#buffer.indexOf('\r\n')) {
      const raw = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.lines.push(raw);
      const json = JSON.parse(raw.replace(/: (-?)(inf|nan)\b/g, ': "$1$2"')) as Record<string, unknown>;
      if ('event' in json) this.events.push({raw, json});
      else this.#replies.push({raw, json});
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  async #until(condition: () => boolean, waitMs: number, what: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (!condition()) {
      const leftMs = deadline - Date.now();
      if (leftMs <= 0)
        throw new Error(
          `timed out after ${waitMs} ms waiting for ${what}; received: ${this.lines.slice(-5).join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
