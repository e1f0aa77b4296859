import type {FeatureSet} from '../../core/virtio.js';
import type {EntropyChecker} from '../checkers/entropy-checker.js';
import type {SubmitResult} from './driver-request.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
import {RNG_REQUEST_QUEUE} from './rng-protocol.js';
import type {VirtioPciTransport} from './transport.js';

/** virtio_rng (hw_random): asks for entropy; the entropy checker says whether it arrived intact. */
export class RngDriver extends VirtioDriver {
  readonly #checker: EntropyChecker;

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    super(kernel, transport, 'virtio_rng');
    this.#checker = kernel.checkers.entropy(transport.index);
  }

  protected get supportedFeatures(): FeatureSet {
    return 0n;
  }

  protected get arenaBytes(): number {
    return 64 * 1024;
  }

  request(lengthBytes: number): SubmitResult {
    const gpa = this.core.allocate(lengthBytes);
    if (gpa === undefined) return 'retry';
    const result = this.submit(
      RNG_REQUEST_QUEUE,
      [{cpuGpa: gpa, len: lengthBytes, direction: 'from-device'}],
      (usedLength) => {
        const bytes = Buffer.allocUnsafe(usedLength);
        this.kernel.view.read(gpa, bytes, 0, usedLength);
        const isIntact = this.#checker.checkReceived(bytes);
        if (usedLength !== lengthBytes || !isIntact) {
          this.core.integrityErrors++;
          this.kernel.context.emit(
            this.kernel.vm,
            'integrity',
            'error',
            `${this.core.label}: entropy buffer differs from what the device wrote`,
          );
        }
        this.core.completed++;
        this.core.free(gpa);
      },
      () => this.core.free(gpa),
    );
    if (result !== 'queued') this.core.free(gpa);
    return result;
  }
}
