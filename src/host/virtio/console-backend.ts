import type {GuestMemory} from '../../core/guest-memory.js';
import type {PageSink} from '../../core/memory-view.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {ArrivingLine, type ConsoleChecker} from '../checkers/console-checker.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {emptyConfigSpace} from './config-space.js';
import {CONSOLE_LOG_LINES, CONSOLE_TRANSMIT_QUEUE, type ConsoleMigrationState} from './console-protocol.js';
import type {DeviceMigrationState} from './migration-state.js';

const CONSOLE_LATENCY_US = 20;
/**
 * The most characters of one line the chardev's log keeps; the rest of a longer line is read,
 * checked and dropped (simplification: QEMU's chardev writes every byte on to its backend).
 */
const CONSOLE_LINE_MAX_CHARS = 64 * 1024;

/** virtio-console port 0 into a host chardev that keeps the last lines; each line is checked on arrival. */
export class ConsoleBackend extends VirtioBackend {
  readonly lines: string[] = [];
  readonly #checker: ConsoleChecker;
  /** The line the chain read so far ends in, not yet ended by a newline: all the backend holds. */
  readonly #line = new ArrivingLine(CONSOLE_LINE_MAX_CHARS);
  readonly #lineSink: PageSink = {
    put: (bytes, offset, length) => this.#takeText(bytes.toString('latin1', offset, offset + length)),
  };

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
    this.completeAt(queueIndex, element, this.context.scheduler.nowUs + CONSOLE_LATENCY_US, this.#flush);
  }

  /**
   * Pop already checked every segment lies in guest memory, as QEMU maps them all there
   * (qemu/qemu hw/virtio/virtio.c virtqueue_map_desc; src/core/split-virtqueue-chain.ts), then
   * hands each out_sg in turn to the chardev (hw/char/virtio-serial-bus.c
   * do_flush_queued_data, virtio-console.c flush_buf): a line goes on as it ends, so the host
   * holds the one line not yet ended, however long the chain. One function for the device's
   * life, as blk's `#work`, not a closure per request (src/views/column-layout.ts says why).
   */
  readonly #flush = (element: QueueElement): number => {
    this.#line.clear();
    this.io.streamOut(element, 0, this.#lineSink);
    this.#endLine();
    return 0;
  };

  #takeText(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.#line.append(text.slice(start, end));
      this.#endLine();
      start = end + 1;
    }
    if (start < text.length) this.#line.append(text.slice(start));
  }

  #endLine(): void {
    const line = this.#line;
    if (line.kept !== '') this.#accept(line.kept, line.wholeTextCrc);
    line.clear();
  }

  #accept(line: string, wholeTextCrc: number | undefined): void {
    const received = this.#checker.checkReceived(line, wholeTextCrc);
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
