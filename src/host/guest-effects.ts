import {invariantBroken} from '../core/assert.js';
import {GUEST_PAGE_SIZE} from '../core/guest-memory.js';
import {formatBytes} from '../core/format-units.js';
import {BootTiming} from './boot-timing.js';
import {IMAGE_READ_BLOCK_BYTES} from './config/image-size.js';
import {GuestKernel} from './guest-kernel.js';
import type {GuestRuntime} from './guest-runtime.js';
import {isKernelSecureOf, type Effect} from './lifecycle/lifecycle.js';
import {firmwareNegotiatesAccessPlatform, isSvmEnabled} from './machine.js';
import {enterSecureMode, type SecureTransitionTarget} from './secure-lifecycle.js';

/** Carries out one effect the lifecycle decided; nothing here decides whether it should happen. */
export function executeEffect(guest: GuestRuntime, effect: Effect): void {
  switch (effect.kind) {
    case 'log':
      return guest.context.emit(guest.name, effect.eventKind, effect.severity, effect.message);
    case 'cold-boot':
      return coldBoot(guest);
    case 'run-bootloader':
      return runBootloader(guest);
    case 'start-kernel':
      return startKernel(guest);
    case 'enter-secure-mode':
      return enterSecureMode(secureTarget(guest));
    case 'probe-devices':
      return probeDevices(guest);
    case 'start-running':
      return startRunning(guest);
    case 'shutdown':
      return shutdown(guest, effect);
    case 'halt':
      return halt(guest, effect.where, effect.message, effect.severity);
    case 'release-deferred':
      return guest.cpu.releaseDeferred();
    case 'on-vcpu':
      return guest.cpu.run(() => {
        for (const inner of effect.effects) executeEffect(guest, inner);
      });
    case 'fail-migration':
      return guest.environment.failMigration(guest, effect.errorDesc);
    case 'apply-workload':
      return guest.applyWorkload(effect.workload);
  }
}

/**
 * Stops the workload, waits (bounded) for in-flight I/O, unbinds drivers, terminates the secure VM.
 * A drain (a reboot's, a kexec's) is the guest kernel's own work: stopped vCPUs hold it until they
 * run, and what the stopped guest was about to do is over. A drained one (a reset) is at once.
 */
function shutdown(guest: GuestRuntime, effect: Extract<Effect, {kind: 'shutdown'}>): void {
  const {why, isDrained, afterUs} = effect;
  if (isDrained) return shutDown(guest, why, true);
  // The EPOW handler's wait (a power-off's): the guest goes on working until its shutdown starts.
  if (afterUs !== undefined) {
    guest.guestTimer(afterUs, () => shutDown(guest, why, false));
    return;
  }
  guest.cpu.newEpoch();
  guest.cpu.run(() => shutDown(guest, why, false));
}

function shutDown(guest: GuestRuntime, why: string, isDrained: boolean): void {
  guest.workload.stop();
  guest.cpu.newEpoch();
  // A reset drains nothing: qemu_system_reset resets the devices there and then.
  const what = why === 'reset' ? 'devices reset at once (in-flight I/O dropped)' : 'shutting down';
  guest.context.emit(guest.name, 'state', 'info', `${why}: ${what}`);
  const kernel = guest.kernel;
  const {scheduler} = guest.context;
  const startUs = scheduler.nowUs;
  const finish = (): void => {
    if (kernel) retireKernel(guest, kernel);
    terminateSecure(guest);
    guest.dispatch({type: 'drained'});
  };
  const poll = (): void => {
    const inFlight = kernel?.allDrivers().reduce((sum, driver) => sum + driver.inFlight, 0) ?? 0;
    if (inFlight === 0 || scheduler.nowUs - startUs >= BootTiming.drainLimitUs) finish();
    else guest.guestTimer(BootTiming.drainPollUs, poll);
  };
  if (isDrained) finish();
  else poll();
}

/** Stops the VM for good (until a reboot): os-term, a panic, a failed boot, a power-off, or removal. */
function halt(guest: GuestRuntime, where: string, message: string, severity: 'info' | 'error'): void {
  guest.workload.stop();
  if (guest.kernel) retireKernel(guest, guest.kernel);
  terminateSecure(guest);
  guest.cpu.newEpoch();
  if (where === 'destroyed') {
    for (const backend of guest.backends) backend.quiesce();
    return;
  }
  guest.context.emit(guest.name, 'state', severity, `halted (${where}): ${message}`);
}

/** UV_SVM_TERMINATE: pages back to normal and scrubbed, secure memory returned. */
function terminateSecure(guest: GuestRuntime): void {
  const ultravisor = guest.host.ultravisor;
  const heldBytes = guest.secureHeldBytes;
  if (!ultravisor || heldBytes === 0) return;
  ultravisor.terminate(guest.memory);
  ultravisor.release(guest.secureHolder, heldBytes);
  guest.context.emit(
    guest.name,
    'security',
    'info',
    `UV_SVM_TERMINATE: ${formatBytes(heldBytes)} of secure memory released`,
  );
}

function secureTarget(guest: GuestRuntime): SecureTransitionTarget {
  const kernel = requireKernel(guest);
  return {
    name: guest.name,
    context: guest.context,
    host: guest.host,
    memory: guest.memory,
    kernel,
    ticket: guest.ticket,
    imageLoadGpa: guest.layout.imageLoadGpa,
    imageBytes: guest.image.length,
    lpid: guest.lpid,
    isSvmEnabled: isSvmEnabled(guest.hasConfidentialGuestSupport, guest.host),
    step: (step, progress) => guest.dispatch({type: 'secure-step', step, progress}),
    guestTimer: (delayUs, work) => guest.guestTimer(delayUs, work),
    sharing: {
      share: (firstPfn, count) => guest.host.ultravisor?.share(guest.memory, firstPfn, count),
      unshare: (firstPfn, count) => guest.host.ultravisor?.unshare(guest.memory, firstPfn, count),
    },
    onSvmInitStart: () => guest.dispatch({type: 'svm-init-start'}),
    probeDevices: () => kernel.probeAll(guest.backends),
    onSecure: () => {
      // Only the 2018-era stack lets a guest turn secure without management's opt-in.
      if (guest.config.launchSecurity === 'none' && !guest.hasConfidentialGuestSupport) {
        guest.context.emit(
          guest.name,
          'undeclared-secure',
          'warning',
          'went secure but is declared launchSecurity: none; management will treat it as a normal VM (balloon, migration)',
        );
      }
      guest.dispatch({type: 'esm-done'});
    },
    onFailure: (code, reason) => guest.dispatch({type: 'esm-failed', failure: {code, reason}}),
  };
}

// ---- boot: firmware, bootloader, kernel ----

const BOOTLOADER_CHUNK_BYTES = 64 * 1024;
const BOOTLOADER_RETRY_US = 1_000;

/**
 * SLOF: memory populated, blk and console probed with direct addresses, the boot sector read. It
 * runs on the vCPUs: a VM reset while stopped is held before it (prelaunch) until they run.
 */
function coldBoot(guest: GuestRuntime): void {
  guest.cpu.newEpoch();
  guest.memory.populate(0, guest.layout.residentBytes / GUEST_PAGE_SIZE);
  guest.cpu.run(() => runFirmware(guest));
}

function runFirmware(guest: GuestRuntime): void {
  const {config} = guest;
  guest.context.emit(
    guest.name,
    'boot',
    'info',
    `SLOF: booting on ${guest.host.name} (svm=${config.svm ? 'on' : 'off'}, dmaPolicy ${config.dmaPolicy})`,
  );
  const firmware = createKernel(guest, true);
  guest.kernel = firmware;
  firmware.probeAll(guest.backends.filter((backend) => backend.type === 'blk' || backend.type === 'console'));
  firmware.drivers.console?.write(
    'SLOF **********************************************************************',
  );
  firmware.drivers.blk?.submitIo({isWrite: false, offsetBytes: 0, lengthBytes: IMAGE_READ_BLOCK_BYTES});
  guest.guestTimer(BootTiming.firmwareUs, () => guest.dispatch({type: 'firmware-done'}));
}

/** The bootloader loads the kernel image through the firmware's virtio-blk (or QEMU's -kernel). */
function runBootloader(guest: GuestRuntime): void {
  const firmware = guest.kernel;
  if (!firmware?.isFirmware) invariantBroken(`guest ${guest.name}: the bootloader runs only on the firmware`);
  const {image, layout} = guest;
  const finish = (): void => {
    guest.guestTimer(BootTiming.bootloaderUs, () => guest.dispatch({type: 'bootloader-done'}));
  };
  const blk = firmware.drivers.blk;
  if (!blk?.isReady) {
    firmware.view.write(layout.imageLoadGpa, image, 0, image.length); // QEMU -kernel
    finish();
    return;
  }
  const kernelName = guest.config.image.kernel;
  const loadChunk = (offset: number): void => {
    if (offset >= image.length) {
      guest.context.emit(
        guest.name,
        'boot',
        'info',
        `bootloader: loaded ${kernelName} (${formatBytes(image.length)}) from virtio-blk`,
      );
      finish();
      return;
    }
    const length = Math.min(BOOTLOADER_CHUNK_BYTES, image.length - offset);
    const result = blk.submitIo({
      isWrite: false,
      offsetBytes: offset,
      lengthBytes: Math.ceil(length / IMAGE_READ_BLOCK_BYTES) * IMAGE_READ_BLOCK_BYTES,
      onReadData: (gpa) => firmware.view.copy(layout.imageLoadGpa + offset, gpa, length),
      onComplete: (isOk) =>
        isOk
          ? loadChunk(offset + length)
          : guest.dispatch({type: 'boot-failed', message: `cannot read ${kernelName} from virtio-blk`}),
    });
    if (result === 'retry') guest.guestTimer(BOOTLOADER_RETRY_US, () => loadChunk(offset));
  };
  loadChunk(0);
}

/** The kernel starts (after the bootloader, or by kexec) with the `svm=` this boot reads. */
function startKernel(guest: GuestRuntime): void {
  if (guest.kernel) retireKernel(guest, guest.kernel);
  const kernel = createKernel(guest, false);
  guest.kernel = kernel;
  const {config} = guest;
  guest.context.emit(
    guest.name,
    'boot',
    'info',
    `Linux: booting ${config.image.kernel} with svm=${config.svm ? 'on' : 'off'}${config.swiotlb.force ? ' swiotlb=force' : ''}`,
  );
  guest.guestTimer(BootTiming.kernelEarlyUs, () => guest.dispatch({type: 'kernel-early'}));
}

/** A normal kernel probes its devices (bouncing only when swiotlb=force). */
function probeDevices(guest: GuestRuntime): void {
  const kernel = requireKernel(guest);
  if (guest.config.swiotlb.force) kernel.createSwiotlb();
  kernel.probeAll(guest.backends);
  guest.guestTimer(BootTiming.probeUs, () => guest.dispatch({type: 'probe-done'}));
}

function startRunning(guest: GuestRuntime): void {
  const kernel = requireKernel(guest);
  guest.context.emit(
    guest.name,
    'state',
    'info',
    `running${guest.isSecure ? ' secure' : ''} on ${guest.host.name}`,
  );
  guest.workload.start(kernel);
}

function requireKernel(guest: GuestRuntime): GuestKernel {
  const kernel = guest.kernel;
  if (!kernel) invariantBroken(`guest ${guest.name}: no kernel where the lifecycle needs one`);
  return kernel;
}

function createKernel(guest: GuestRuntime, isFirmware: boolean): GuestKernel {
  const {config, bootCount} = guest;
  return new GuestKernel({
    context: guest.context,
    vm: guest.name,
    memory: guest.memory,
    layout: guest.layout,
    vcpus: config.vcpus,
    policy: config.dmaPolicy,
    isSwiotlbForced: config.swiotlb.force,
    bootCount,
    isFirmware,
    isFirmwareIommuAware: isFirmware && firmwareNegotiatesAccessPlatform(guest.host),
    checkers: guest.checkers,
    runOnCpu: (work) => guest.cpu.run(work),
    guestTimer: (delayUs, work) => guest.guestTimer(delayUs, work),
    // This boot's kernel, not firmware and not one an earlier boot left behind.
    isSecure: () => !isFirmware && guest.bootCount === bootCount && isKernelSecureOf(guest.lifecycle),
  });
}

/** Unbinds a kernel's drivers, folding their counters into the device totals. */
function retireKernel(guest: GuestRuntime, kernel: GuestKernel): void {
  for (const driver of kernel.allDrivers()) {
    const totals = guest.deviceTotals[driver.deviceIndex];
    driver.remove();
    if (totals) {
      totals.completed += driver.completed;
      totals.failed += driver.failed;
      totals.integrityErrors += driver.integrityErrors;
    }
  }
  kernel.removeAll();
  if (guest.kernel === kernel) guest.kernel = null;
}
