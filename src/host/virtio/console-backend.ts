import {crc32} from 'node:zlib';
import type {GuestMemory} from '../../core/guest-memory.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';

const TRANSMIT_QUEUE = 1;
const CONSOLE_LATENCY_US = 20;
/** Lines of guest console output the host keeps (a bounded chardev log). */
export const CONSOLE_LOG_LINES = 50;

/** Parses `<sequence> <crc32 hex> <text>` lines the guest writes, checking both. */
export function parseConsoleLine(line: string): {sequence: number; text: string} | undefined {
  const match = /^(\d+) ([0-9a-f]{8}) (.*)$/.exec(line);
  if (!match) return undefined;
  if (crc32(match[3]!).toString(16).padStart(8, '0') !== match[2]) return undefined;
  return {sequence: Number(match[1]), text: match[3]!};
}

export function formatConsoleLine(sequence: number, text: string): string {
  return `${sequence} ${crc32(text).toString(16).padStart(8, '0')} ${text}`;
}

/** virtio-console port 0 into a host chardev: keeps the last lines, checks sequence and checksum. */
export class ConsoleBackend extends VirtioBackend {
  readonly lines: string[] = [];
  #expectedSequence = 0;

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory) {
    super(context, identity, memory, 0n);
  }

  get queueCount(): number {
    return 2;
  }

  protected override onReset(): void {
    this.#expectedSequence = 0;
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    if (queueIndex !== TRANSMIT_QUEUE) return; // receive buffers wait for input that never comes
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + CONSOLE_LATENCY_US, () => {
      const text = this.readOut(element).toString('latin1');
      for (const line of text.split('\n')) if (line !== '') this.#accept(line);
      return 0;
    });
  }

  #accept(line: string): void {
    const parsed = parseConsoleLine(line);
    if (!parsed || parsed.sequence !== this.#expectedSequence) {
      this.integrityErrors++;
      this.context.emit(
        this.identity.vm,
        'integrity',
        'error',
        `${this.name} (virtio-console): unexpected line ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    this.#expectedSequence = (parsed?.sequence ?? this.#expectedSequence) + 1;
    this.lines.push(parsed?.text ?? line);
    if (this.lines.length > CONSOLE_LOG_LINES) this.lines.shift();
  }

  protected override saveExtra(): unknown {
    return {expectedSequence: this.#expectedSequence, lines: [...this.lines]};
  }

  protected override loadExtra(extra: unknown): void {
    const state = extra as {expectedSequence: number; lines: string[]};
    this.#expectedSequence = state.expectedSequence;
    this.lines.splice(0, this.lines.length, ...state.lines);
  }
}
