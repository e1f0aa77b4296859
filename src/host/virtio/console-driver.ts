import type {FeatureSet} from '../../core/virtio.js';
import {formatConsoleLine} from './console-backend.js';
import {VirtioDriver, type SubmitResult} from './driver.js';

const TRANSMIT_QUEUE = 1;
const LINE_MAX_BYTES = 256;

/** virtio_console (hvc): writes numbered, checksummed lines on port 0. */
export class ConsoleDriver extends VirtioDriver {
  #sequence = 0;

  get driverName(): string {
    return 'virtio_console';
  }

  protected get supportedFeatures(): FeatureSet {
    return 0n;
  }

  write(text: string): SubmitResult {
    const line = Buffer.from(`${formatConsoleLine(this.#sequence, text)}\n`, 'latin1').subarray(
      0,
      LINE_MAX_BYTES,
    );
    const gpa = this.allocateBuffer(line.length);
    if (gpa === undefined) return 'retry';
    this.kernel.view.write(gpa, line, 0, line.length);
    const result = this.submit(
      TRANSMIT_QUEUE,
      [{cpuGpa: gpa, len: line.length, direction: 'to-device'}],
      () => {
        this.completed++;
        this.freeBuffer(gpa);
      },
      () => this.freeBuffer(gpa),
    );
    if (result === 'queued') this.#sequence++;
    else this.freeBuffer(gpa);
    return result;
  }
}
