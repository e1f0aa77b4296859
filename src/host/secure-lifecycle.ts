import {invariantBroken} from '../core/assert.js';
import {GUEST_PAGE_SIZE, type GuestMemory} from '../core/guest-memory.js';
import type {TimerHandle} from '../core/scheduler.js';
import {formatBytes} from '../core/format-units.js';
import {BootTiming} from './boot-timing.js';
import type {PageSharing} from './dma-ops.js';
import type {GuestKernel} from './guest-kernel.js';
import type {Host} from './host.js';
import type {SimContext} from './sim-context.js';
import type {SecureStep} from './lifecycle/lifecycle.js';
import type {EsmFailureCode, Ticket} from './ultravisor.js';

/** What the ESM flow needs from the guest that runs it. */
export interface SecureTransitionTarget {
  readonly name: string;
  readonly context: SimContext;
  readonly host: Host;
  readonly memory: GuestMemory;
  readonly kernel: GuestKernel;
  readonly ticket: Ticket | null;
  readonly imageLoadGpa: number;
  readonly imageBytes: number;
  readonly lpid: number;
  /** KVM's `svm_enabled` for this VM (`isSvmEnabled`): false makes it NAK H_SVM_INIT_START. */
  readonly isSvmEnabled: boolean;
  /** The transition reached `step` (progress 0..1 within it). */
  step(step: SecureStep, progress: number): void;
  guestTimer(delayUs: number, work: () => void): TimerHandle;
  /** Page sharing through whichever ultravisor holds the guest now (it may migrate). */
  readonly sharing: PageSharing;
  /** H_SVM_INIT_START succeeded: the ultravisor holds the guest's secure memory under its name. */
  onSvmInitStart(): void;
  /** Probes every virtio device again, now under the secure kernel's DMA policy. */
  probeDevices(): void;
  /** The re-probe is done: the guest runs secure. */
  onSecure(): void;
  onFailure(code: EsmFailureCode, reason: string): void;
}

/**
 * Early in the kernel's boot with `svm=on` (prom_init's `setup_secure_guest`): UV_ESM with the
 * ticket, the ultravisor verifies it and copies the guest into secure memory while KVM sees
 * H_SVM_INIT_START … H_SVM_INIT_DONE, then the secure kernel creates and shares its swiotlb pool
 * and probes every virtio device under its DMA policy.
 */
export function enterSecureMode(target: SecureTransitionTarget): void {
  const {context, name} = target;
  target.step('esm', 0);
  context.emit(name, 'esm', 'info', 'Switching to secure mode.');
  target.guestTimer(BootTiming.esmCallUs, () => {
    const ultravisor = target.host.ultravisor;
    if (!ultravisor) {
      target.onFailure(
        'H_UNSUPPORTED',
        `host ${target.host.name} has no ultravisor: H_SVM_INIT_START returned H_UNSUPPORTED`,
      );
      return;
    }
    // The ultravisor asks KVM for H_SVM_INIT_START before it checks the ESM blob
    // (open-power/ultravisor core/uvcall.c uv_esm_svm); KVM NAKs a VM that did not opt in.
    if (!target.isSvmEnabled) {
      context.emit(name, 'esm', 'warning', 'UV: uv_esm_svm(): H_SVM_INIT_START returned [-10]');
      context.emit(name, 'esm', 'warning', 'UV: UV_ESM: issuing H_SVM_INIT_ABORT');
      target.onFailure(
        'H_AUTHORITY',
        `KVM on ${target.host.name} NAKs H_SVM_INIT_START: the VM was not started with confidential guest support (svm_enabled is unset)`,
      );
      return;
    }
    target.step('verify', 0);
    const verifyUs =
      BootTiming.verifyBaseUs + Math.ceil((target.imageBytes / BootTiming.verifyBytesPerSecond) * 1_000_000);
    target.guestTimer(verifyUs, () => {
      const image = Buffer.allocUnsafe(target.imageBytes);
      target.kernel.view.read(target.imageLoadGpa, image, 0, target.imageBytes);
      const verdict = ultravisor.verifyTicket(image, target.ticket);
      if (!verdict.ok) {
        target.onFailure(verdict.code, verdict.reason);
        return;
      }
      context.emit(name, 'esm', 'info', `UV_ESM: ${verdict.detail}`);
      if (!ultravisor.reserve({kind: 'guest', vm: target.name}, target.memory.sizeBytes)) {
        target.onFailure(
          'U_RETRY',
          `ultravisor on ${target.host.name} has ${formatBytes(ultravisor.secureFreeBytes)} of secure memory free, guest needs ${formatBytes(target.memory.sizeBytes)}`,
        );
        return;
      }
      target.onSvmInitStart();
      context.emit(name, 'esm', 'info', `KVM: H_SVM_INIT_START (LPID ${target.lpid})`);
      convertPages(target, ultravisor.conversionBytesPerSecond, () => finishSecureSetup(target));
    });
  });
}

/** UV copies the guest into secure memory in steps, so a large guest visibly takes longer. */
function convertPages(target: SecureTransitionTarget, bytesPerSecond: number, then: () => void): void {
  const ultravisor = target.host.ultravisor;
  if (!ultravisor)
    invariantBroken(`${target.name}: pages converted on ${target.host.name}, which has no ultravisor`);
  const totalPages = target.memory.pageCount;
  const pagesPerStep = Math.max(
    1,
    Math.floor((bytesPerSecond * BootTiming.convertStepUs) / 1_000_000 / GUEST_PAGE_SIZE),
  );
  let converted = 0;
  const step = (): void => {
    const count = Math.min(pagesPerStep, totalPages - converted);
    ultravisor.convert(target.memory, converted, count);
    converted += count;
    target.step('convert', converted / totalPages);
    if (converted < totalPages) target.guestTimer(BootTiming.convertStepUs, step);
    else then();
  };
  target.step('convert', 0);
  target.guestTimer(BootTiming.convertStepUs, step);
}

function finishSecureSetup(target: SecureTransitionTarget): void {
  const {context, name, kernel} = target;
  target.step('init-done', 1);
  target.guestTimer(BootTiming.initDoneUs, () => {
    context.emit(name, 'esm', 'info', `KVM: LPID ${target.lpid} went secure`);
    kernel.sharing = target.sharing; // the kernel turns secure with the step below (isKernelSecureOf)
    target.step('swiotlb', 1);
    target.guestTimer(BootTiming.swiotlbUs, () => {
      kernel.createSwiotlb();
      target.step('reprobe', 1);
      target.probeDevices();
      target.guestTimer(BootTiming.reprobeUs, () => target.onSecure());
    });
  });
}
