import {BootTiming} from '../boot-timing.js';
import {refuseWhileMigrating} from './command-guards.js';
import {securityPhaseOf, type Effect, type Lifecycle, type Transition} from './lifecycle.js';
import {accept, log} from './transition-builders.js';
import {onceResumedOf} from './pending-work.js';

/** What system_powerdown does to a VM already off, in words. */
const OFF_POWERDOWN = 'POWERDOWN raised, no guest runs to take the EPOW';

/**
 * Power-off from management; the VM stays off until a reboot (or secure) boots it. Graceful is
 * QEMU's system_powerdown: the pseries guest gets an EPOW event and shuts itself down (qemu/qemu
 * hw/ppc/spapr_events.c `spapr_powerdown_req`), which svmtop plays as a reboot's drain that ends off.
 * Its handler logs and calls orderly_poweroff, which schedules the one poweroff_work, so a second
 * request does nothing more (torvalds/linux pseries/ras.c handle_system_shutdown, kernel/reboot.c
 * orderly_poweroff; svmtop logs the first only). Immediate is QEMU's quit: at once. Both are
 * accepted on a VM already off, which stays as it is.
 */
export function powerOff(lifecycle: Lifecycle, isGraceful: boolean): Transition {
  const {stage} = lifecycle;
  // QEMU's quit and system_powerdown ask whatever the run state (qemu/qemu monitor/qmp-cmds.c
  // qmp_quit, qmp_system_powerdown); the EPOW of a powerdown is queued, and no vCPU runs to take it
  // (softmmu/runstate.c qemu_system_powerdown, hw/ppc/spapr_events.c spapr_powerdown_req).
  if (stage.kind === 'halted')
    return accept(lifecycle, [], `already off; ${isGraceful ? OFF_POWERDOWN : 'QEMU quits all the same'}`);
  const refusal = refuseWhileMigrating(lifecycle);
  if (refusal) return refusal;
  if (isGraceful && stage.kind === 'shutting-down' && stage.next === 'power-off')
    return accept(lifecycle, [], epowAnswer(lifecycle));
  if (isGraceful && isBeforeEpowHandlerOf(lifecycle)) return queueEpow(lifecycle);
  if (isGraceful && stage.kind !== 'off') return epow(lifecycle);
  // The halt ends a pause without resuming anything (qemu/qemu softmmu/cpus.c vm_shutdown, after
  // qmp_quit): a halted VM's vCPUs are its idle ones, so resume finds it halted, not paused.
  const effects: Effect[] = [
    {kind: 'halt', where: 'power-off', message: 'powered off by the host', severity: 'info'},
  ];
  const vcpu: Lifecycle['vcpu'] = {kind: 'running'};
  return accept({...lifecycle, vcpu, stage: {kind: 'halted', cause: 'power-off'}, isSvm: false}, effects);
}

/**
 * system_powerdown leaves the vCPUs as they are: QEMU raises POWERDOWN and the EPOW interrupt
 * (qemu/qemu softmmu/runstate.c main_loop_should_exit, hw/ppc/spapr_events.c spapr_powerdown_req), and
 * the guest's handler runs when its vCPUs do, so a paused guest powers off once resumed.
 */
function epow(lifecycle: Lifecycle): Transition {
  const handler: Effect[] = [
    log('EPOW: Power off requested'),
    {kind: 'shutdown', why: 'power-off', isDrained: false, afterUs: BootTiming.epowResponseUs},
  ];
  const waitsIn = lifecycle.vcpu.kind === 'running' ? {} : {waitsIn: securityPhaseOf(lifecycle)};
  const next: Lifecycle = {...lifecycle, stage: {kind: 'shutting-down', next: 'power-off', ...waitsIn}};
  if (lifecycle.vcpu.kind === 'running') return accept(next, handler);
  return accept(next, [{kind: 'on-vcpu', effects: handler}], epowAnswer(next));
}

/**
 * QEMU queues the EPOW event and pulses its interrupt (qemu/qemu hw/ppc/spapr_events.c
 * spapr_powerdown_req, rtas_event_log_queue); the guest kernel takes it once its handler is
 * registered (torvalds/linux arch/powerpc/platforms/pseries/ras.c init_ras_IRQ, a subsys initcall
 * after prom_init and its UV_ESM). Before that (SLOF, the bootloader, the secure transition)
 * nothing handles it: the guest boots on. Simplification: svmtop's handler runs once the boot
 * is done (`running`), not between the initcalls.
 */
function isBeforeEpowHandlerOf({stage}: Lifecycle): boolean {
  return stage.kind === 'booting' || stage.kind === 'entering-secure';
}

function queueEpow(lifecycle: Lifecycle): Transition {
  const effects = lifecycle.isEpowPending
    ? []
    : [log('EPOW queued: the guest powers off once its kernel is up')];
  return accept(
    {...lifecycle, isEpowPending: true},
    effects,
    'EPOW raised; the guest powers off once booted',
  );
}

/**
 * The one place a queued EPOW is settled, after every step: a halt or a cold boot (a machine
 * reset) drops it; the guest reaching `running` takes it, as a powerdown asked for then would be.
 */
export function settleEpow(before: Lifecycle, step: Transition): Transition {
  const {next} = step;
  if (!next.isEpowPending) return step;
  const {stage} = next;
  const isColdBoot =
    stage.kind === 'booting' && stage.step === 'firmware' && next.bootCount !== before.bootCount;
  const isReset = stage.kind === 'shutting-down' && stage.next === 'cold-boot';
  if (stage.kind === 'halted' || isColdBoot || isReset)
    return {...step, next: {...next, isEpowPending: false}};
  if (stage.kind !== 'running') return step;
  const taken = epow({...next, isEpowPending: false});
  return {next: taken.next, effects: [...step.effects, ...taken.effects], result: step.result};
}

/** A power-off the guest has yet to get to says so; one that runs answers plainly, as before. */
function epowAnswer(lifecycle: Lifecycle): string | undefined {
  const onceResumed = onceResumedOf(lifecycle);
  return onceResumed ? `EPOW raised; the guest powers off${onceResumed}` : undefined;
}
