import {formatSize} from '../core/units.js';
import {BootTiming} from './boot-timing.js';
import type {GuestRuntime} from './guest-runtime.js';
import {
  coldBoot,
  probeDevices,
  requireKernel,
  retireKernel,
  runBootloader,
  startKernel,
  startRunning,
} from './guest-boot.js';
import type {Effect} from './lifecycle/lifecycle.js';
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
      return shutdown(guest, effect.why, effect.isDrained);
    case 'halt':
      return halt(guest, effect.where, effect.message);
    case 'release-deferred':
      return guest.cpu.releaseDeferred();
    case 'fail-migration':
      return guest.environment.failMigration(guest, effect.errorDesc);
    case 'apply-workload':
      return guest.applyWorkload(effect.workload);
  }
}

/** Stops the workload, waits (bounded) for in-flight I/O, unbinds drivers, terminates the secure VM. */
function shutdown(guest: GuestRuntime, why: string, isDrained: boolean): void {
  guest.workload.stop();
  guest.cpu.newEpoch();
  guest.context.emit(guest.name, 'state', 'info', `${why}: shutting down`);
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

/** Stops the VM for good (until a reboot): os-term, a panic, a failed boot, or removal. */
function halt(guest: GuestRuntime, where: string, message: string): void {
  guest.workload.stop();
  if (guest.kernel) retireKernel(guest, guest.kernel);
  terminateSecure(guest);
  guest.cpu.newEpoch();
  if (where === 'destroyed') {
    for (const backend of guest.backends) backend.quiesce();
    return;
  }
  guest.context.emit(guest.name, 'state', 'error', `halted (${where}): ${message}`);
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
    `UV_SVM_TERMINATE: ${formatSize(heldBytes)} of secure memory released`,
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
    step: (step, progress) => guest.dispatch({type: 'secure-step', step, progress}),
    guestTimer: (delayUs, work) => guest.guestTimer(delayUs, work),
    sharing: {
      share: (firstPfn, count) => guest.host.ultravisor?.share(guest.memory, firstPfn, count),
      unshare: (firstPfn, count) => guest.host.ultravisor?.unshare(guest.memory, firstPfn, count),
    },
    onSvmInitStart: () => guest.dispatch({type: 'svm-init-start'}),
    probeDevices: () => kernel.probeAll(guest.backends),
    onSecure: () => {
      if (guest.config.launchSecurity === 'none') {
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
