import type {GuestMemory} from '../../core/guest-memory.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import type {ConsoleChecker} from '../checkers/console-checker.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {emptyConfigSpace} from './config-space.js';
import {CONSOLE_LOG_LINES, CONSOLE_TRANSMIT_QUEUE, type ConsoleMigrationState} from './console-protocol.js';
import type {DeviceMigrationState} from './migration-state.js';

const CONSOLE_LATENCY_US = 20;

/** virtio-console port 0 into a host chardev that keeps the last lines; each line is checked on arrival. */
export class ConsoleBackend extends VirtioBackend {
  readonly lines: string[] = [];
  readonly #checker: ConsoleChecker;

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory, checker: ConsoleChecker) {
    super(context, identity, memory, 0n, emptyConfigSpace('console'));
    this.#checker = checker;
  }

  get queueCount(): number {
    return 2;
  }

  protected override onReset(): void {
    this.#checker.reset();
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    if (queueIndex !== CONSOLE_TRANSMIT_QUEUE) return; // receive buffers wait for input that never comes
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + CONSOLE_LATENCY_US, () => {
      const length = this.io.readOut(element);
      const text = this.io.scratch.toString('latin1', 0, length);
      for (const line of text.split('\n')) if (line !== '') this.#accept(line);
      return 0;
    });
  }

  #accept(line: string): void {
    const received = this.#checker.checkReceived(line);
    if (!received.isExpected) {
      this.integrityErrors++;
      this.context.emit(
        this.identity.vm,
        'integrity',
        'error',
        `${this.name} (virtio-console): unexpected line ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    this.lines.push(received.text);
    if (this.lines.length > CONSOLE_LOG_LINES) this.lines.shift();
  }

  protected override saveDevice(): ConsoleMigrationState {
    return {type: 'console', lines: [...this.lines]};
  }

  protected override loadDevice(state: DeviceMigrationState): void {
    if (state.type !== 'console') return;
    this.lines.splice(0, this.lines.length, ...state.lines);
  }
}
