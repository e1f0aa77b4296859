import {invariantBroken} from '../../core/assert.js';
import {esmReturnOf} from '../esm-return.js';
import type {
  BootStep,
  Effect,
  EsmFailure,
  GuestEvent,
  Lifecycle,
  MigrationEvent,
  Stage,
  Transition,
} from './lifecycle.js';
import {accept, log} from './transition-builders.js';

/** The guest's own progress: boot steps, the secure transition's steps, shutdown, halts. */
export function advanceGuest(lifecycle: Lifecycle, event: GuestEvent): Transition {
  const {stage} = lifecycle;
  switch (event.type) {
    case 'power-on':
      if (stage.kind !== 'off') wrongStage(lifecycle, event.type);
      return bootFromFirmware(lifecycle);
    case 'firmware-done':
      expectBootStep(lifecycle, 'firmware', event.type);
      return accept({...lifecycle, stage: booting('bootloader', null)}, [{kind: 'run-bootloader'}]);
    case 'bootloader-done':
      expectBootStep(lifecycle, 'bootloader', event.type);
      return accept({...lifecycle, stage: booting('kernel', lifecycle.settings.svm)}, [
        {kind: 'start-kernel', isKexec: false},
      ]);
    case 'kernel-early':
      return kernelEarly(lifecycle);
    case 'probe-done':
      expectBootStep(lifecycle, 'probe', event.type);
      return accept({...lifecycle, stage: {kind: 'running'}}, [{kind: 'start-running'}]);
    case 'boot-failed':
      if (stage.kind !== 'booting') wrongStage(lifecycle, event.type);
      return accept({...lifecycle, stage: {kind: 'halted', cause: 'bootloader'}}, [
        {kind: 'halt', where: 'bootloader', message: event.message, severity: 'error'},
      ]);
    case 'secure-step':
      if (stage.kind !== 'entering-secure') wrongStage(lifecycle, event.type);
      return accept({
        ...lifecycle,
        stage: {kind: 'entering-secure', step: event.step, progress: event.progress},
      });
    case 'svm-init-start':
      if (stage.kind !== 'entering-secure' || lifecycle.isSvm) wrongStage(lifecycle, event.type);
      return accept({...lifecycle, isSvm: true});
    case 'esm-done':
      if (stage.kind !== 'entering-secure' || !lifecycle.isSvm) wrongStage(lifecycle, event.type);
      return accept({...lifecycle, stage: {kind: 'running'}}, [{kind: 'start-running'}]);
    case 'esm-failed':
      return esmFailed(lifecycle, event.failure);
    case 'vcpu-failed':
      return vcpuFailed(lifecycle, event.message);
    case 'drained':
      return drained(lifecycle);
    case 'destroy':
      return accept({...lifecycle, stage: {kind: 'halted', cause: 'destroyed'}, isSvm: false}, [
        {kind: 'halt', where: 'destroyed', message: 'removed from the config', severity: 'info'},
      ]);
  }
}

/**
 * qemu/qemu accel/kvm/kvm-all.c `kvm_cpu_exec`: KVM_RUN returned an error, QEMU prints it and
 * stops the VM (`vm_stop(RUN_STATE_INTERNAL_ERROR)`; `cont` then asks for a reset). Simplification:
 * svmtop halts the guest and terminates its secure VM at once, as a reset would.
 */
function vcpuFailed(lifecycle: Lifecycle, message: string): Transition {
  if (lifecycle.stage.kind === 'halted' || lifecycle.stage.kind === 'off')
    wrongStage(lifecycle, 'vcpu-failed');
  const effects: Effect[] = [];
  if (lifecycle.isMigrating)
    effects.push({kind: 'fail-migration', errorDesc: `${lifecycle.name} stopped: ${message}`});
  effects.push(log(message, 'kvm', 'error'), {
    kind: 'halt',
    where: 'internal-error',
    message,
    severity: 'error',
  });
  return accept({...lifecycle, stage: {kind: 'halted', cause: 'internal-error'}, isSvm: false}, effects);
}

/**
 * What a migration tells the guest. The vCPUs stop only for stop-and-copy; when the migration
 * ends (completed, failed or cancelled) it is over before the vCPUs run again, so guest code that
 * waited (an ESM call, say) never runs under a migration that can no longer hold.
 */
export function advanceMigration(lifecycle: Lifecycle, event: MigrationEvent): Transition {
  const {vcpu} = lifecycle;
  switch (event.type) {
    case 'migration-started':
      if (lifecycle.isMigrating) wrongStage(lifecycle, event.type);
      return accept({...lifecycle, isMigrating: true});
    case 'migration-stop-vcpus':
      if (!lifecycle.isMigrating || vcpu.kind === 'stopped-for-migration') wrongStage(lifecycle, event.type);
      return accept({
        ...lifecycle,
        vcpu: {kind: 'stopped-for-migration', isPausedAfter: vcpu.kind === 'paused'},
      });
    case 'migration-ended': {
      if (!lifecycle.isMigrating) wrongStage(lifecycle, event.type);
      // QEMU restarts no VM that is shutting down (qemu/qemu migration/migration.c
      // migration_iteration_finish): a guest about to be destroyed runs nothing more.
      if (vcpu.kind !== 'stopped-for-migration' || event.isGuestGoing)
        return accept({...lifecycle, isMigrating: false});
      if (vcpu.isPausedAfter) return accept({...lifecycle, isMigrating: false, vcpu: {kind: 'paused'}});
      return accept({...lifecycle, isMigrating: false, vcpu: {kind: 'running'}}, [
        {kind: 'release-deferred'},
      ]);
    }
  }
}

function booting(step: BootStep, kernelSvm: boolean | null): Stage {
  return {kind: 'booting', step, kernelSvm};
}

function bootFromFirmware(lifecycle: Lifecycle): Transition {
  return accept(
    {...lifecycle, stage: booting('firmware', null), isSvm: false, bootCount: lifecycle.bootCount + 1},
    [{kind: 'cold-boot'}],
  );
}

/**
 * Early in the kernel: with `svm=on` it calls UV_ESM, and nothing management does can refuse a
 * guest's own ultracall (KVM's H_SVM_INIT_START checks only svm_enabled, torvalds/linux
 * arch/powerpc/kvm/book3s_hv_uvmem.c `kvmppc_h_svm_init_start`). A migration under way cannot
 * carry a guest that turns secure: its pages become unreadable to the hypervisor, and its checks
 * were made for a normal guest, perhaps towards a host with no ultravisor. So the migration fails
 * the way QEMU's does when the source can no longer read guest memory: status `failed` with an
 * errorDesc, the guest stays and turns secure on its source. (Today's QEMU never gets here: it
 * blocks migration of any pef-guest from machine init, qemu/qemu hw/ppc/pef.c `kvmppc_svm_init`;
 * hosts with secureMigration model the seed's future.)
 */
function kernelEarly(lifecycle: Lifecycle): Transition {
  const {stage} = lifecycle;
  if (stage.kind !== 'booting' || stage.step !== 'kernel') wrongStage(lifecycle, 'kernel-early');
  if (!stage.kernelSvm)
    return accept({...lifecycle, stage: booting('probe', false)}, [{kind: 'probe-devices'}]);
  const effects: Effect[] = [];
  if (lifecycle.isMigrating)
    effects.push({
      kind: 'fail-migration',
      errorDesc: `${lifecycle.name} entered secure mode during migration (UV_ESM): the hypervisor can no longer read its memory`,
    });
  effects.push({kind: 'enter-secure-mode'});
  return accept({...lifecycle, stage: {kind: 'entering-secure', step: 'esm', progress: 0}}, effects);
}

/**
 * Any ESM failure: the pseries kernel prints UV_ESM's return code with `%d` and calls os-term
 * (torvalds/linux arch/powerpc/kernel/prom_init.c setup_secure_guest); svmtop names the number
 * on the line after.
 */
function esmFailed(lifecycle: Lifecycle, failure: EsmFailure): Transition {
  if (lifecycle.stage.kind !== 'entering-secure') wrongStage(lifecycle, 'esm-failed');
  const returned = esmReturnOf(failure.code);
  return accept(
    {...lifecycle, stage: {kind: 'halted', cause: 'os-term'}, isSvm: false, lastFailure: failure},
    [
      log(`UV: ${failure.reason}`, 'esm', 'error'),
      log(`Returned ${returned.value} from switching to secure mode.`, 'esm', 'error'),
      log(`(${returned.meaning})`, 'esm', 'info'),
      log('Switch to secure mode failed.', 'esm', 'error'),
      {kind: 'halt', where: 'os-term', message: 'Switch to secure mode failed.', severity: 'error'},
    ],
  );
}

/** In-flight I/O drained (or the drain limit passed): cold boot, kexec straight into a kernel, or off. */
function drained(lifecycle: Lifecycle): Transition {
  const {stage} = lifecycle;
  if (stage.kind !== 'shutting-down') wrongStage(lifecycle, 'drained');
  if (stage.next === 'cold-boot') return bootFromFirmware(lifecycle);
  if (stage.next === 'power-off')
    return accept({...lifecycle, stage: {kind: 'halted', cause: 'shutdown'}, isSvm: false}, [
      {kind: 'halt', where: 'shutdown', message: 'the guest powered itself off', severity: 'info'},
    ]);
  const svm = lifecycle.settings.svm;
  return accept(
    {...lifecycle, stage: booting('kernel', svm), isSvm: false, bootCount: lifecycle.bootCount + 1},
    [
      log(`kexec: rebooting into the kernel with svm=${svm ? 'on' : 'off'}`, 'boot'),
      {kind: 'start-kernel', isKexec: true},
    ],
  );
}

function expectBootStep(lifecycle: Lifecycle, step: BootStep, event: string): void {
  const {stage} = lifecycle;
  if (stage.kind !== 'booting' || stage.step !== step) wrongStage(lifecycle, event);
}

function wrongStage(lifecycle: Lifecycle, event: string): never {
  return invariantBroken(
    `lifecycle of ${lifecycle.name}: event ${event} cannot happen in ${JSON.stringify(lifecycle.stage)} (vcpu ${lifecycle.vcpu.kind}, migrating ${lifecycle.isMigrating}, svm ${lifecycle.isSvm})`,
  );
}
