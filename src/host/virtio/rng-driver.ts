import {crc32} from 'node:zlib';
import type {FeatureSet} from '../../core/virtio.js';
import {VirtioDriver, type SubmitResult} from './driver.js';
import type {RngBackend} from './rng-backend.js';

/** virtio_rng (hw_random): asks for entropy and checks it arrived intact. */
export class RngDriver extends VirtioDriver {
  get driverName(): string {
    return 'virtio_rng';
  }

  protected get supportedFeatures(): FeatureSet {
    return 0n;
  }

  request(lengthBytes: number): SubmitResult {
    const gpa = this.allocateBuffer(lengthBytes);
    if (gpa === undefined) return 'retry';
    const backend = this.backend as RngBackend;
    const result = this.submit(
      0,
      [{cpuGpa: gpa, len: lengthBytes, direction: 'from-device'}],
      (usedLength) => {
        const bytes = Buffer.allocUnsafe(usedLength);
        this.kernel.view.read(gpa, bytes, 0, usedLength);
        const expected = backend.filledCrcs.shift();
        if (usedLength !== lengthBytes || expected !== crc32(bytes)) {
          this.integrityErrors++;
          this.kernel.context.emit(
            this.kernel.vm,
            'integrity',
            'error',
            `${this.driverName} ${backend.name}: entropy buffer differs from what the device wrote`,
          );
        }
        this.completed++;
        this.freeBuffer(gpa);
      },
      () => this.freeBuffer(gpa),
    );
    if (result !== 'queued') this.freeBuffer(gpa);
    return result;
  }
}
