import type {FeatureSet} from '../../core/virtio.js';
import type {ConsoleChecker} from '../checkers/console-checker.js';
import {CONSOLE_TRANSMIT_QUEUE} from './console-protocol.js';
import type {SubmitResult} from './driver-request.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
import type {VirtioPciTransport} from './transport.js';

const LINE_MAX_BYTES = 256;

/** virtio_console (hvc): writes lines on port 0, numbered and checksummed by the console checker. */
export class ConsoleDriver extends VirtioDriver {
  readonly #checker: ConsoleChecker;
  /** The line being written, as bytes (copied into guest memory at once). */
  readonly #line = Buffer.alloc(LINE_MAX_BYTES);

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    super(kernel, transport, 'virtio_console');
    this.#checker = kernel.checkers.console(transport.index);
  }

  protected get supportedFeatures(): FeatureSet {
    return 0n;
  }

  protected get arenaBytes(): number {
    return 64 * 1024;
  }

  write(text: string): SubmitResult {
    const length = this.#line.write(`${this.#checker.nextLine(text)}\n`, 0, 'latin1');
    const gpa = this.core.allocate(length);
    if (gpa === undefined) return 'retry';
    this.kernel.view.write(gpa, this.#line, 0, length);
    const result = this.submit(
      CONSOLE_TRANSMIT_QUEUE,
      [{cpuGpa: gpa, len: length, direction: 'to-device'}],
      () => {
        this.core.completed++;
        this.core.free(gpa);
      },
      () => this.core.free(gpa),
    );
    if (result === 'queued') this.#checker.commit();
    else this.core.free(gpa);
    return result;
  }
}
