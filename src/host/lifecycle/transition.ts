import {advanceGuest, advanceMigration} from './lifecycle-progress.js';
import {
  isPausedByUserOf,
  securityPhaseOf,
  securityStateOf,
  type Effect,
  type Lifecycle,
  type LifecycleCommand,
  type LifecycleEvent,
  type Transition,
} from './lifecycle.js';
import {accept, log, refuse} from './transition-builders.js';
import {heldReset, isResetHeldOf, refuseWhileMigrating} from './command-guards.js';
import {isBootAfterShutdownOf, isBootSecureOf, onceResumedOf, shutDownWhenOf} from './pending-work.js';
import {powerOff, settleEpow} from './power-off.js';

/**
 * The guest lifecycle's one step, a pure function in the manner of XState's
 * `transition(state, event) → [next, actions]` (statelyai/xstate packages/core): every command's
 * acceptance or refusal, and every state change, is decided here; `Guest` only carries out the
 * effects. Commands always answer; an event from the guest or a migration that cannot happen in
 * the current state is a programmer error and throws.
 */
export function transition(lifecycle: Lifecycle, event: LifecycleEvent): Transition {
  const step = settleEpow(lifecycle, decide(lifecycle, event));
  const {stage, vcpu} = step.next;
  // Work that waited for stopped vCPUs starts when they run (GuestCpu.releaseDeferred).
  if (stage.kind !== 'shutting-down' || stage.waitsIn === undefined || vcpu.kind !== 'running') return step;
  return {...step, next: {...step.next, stage: {kind: 'shutting-down', next: stage.next}}};
}

function decide(lifecycle: Lifecycle, event: LifecycleEvent): Transition {
  switch (event.type) {
    case 'pause':
    case 'resume':
    case 'reboot':
    case 'reset':
    case 'secure':
    case 'unsecure':
    case 'set-policy':
    case 'set-workload':
    case 'set-svm':
    case 'crash':
    case 'power-off':
    case 'migrate':
    case 'balloon':
      return decideCommand(lifecycle, event);
    case 'migration-started':
    case 'migration-stop-vcpus':
    case 'migration-ended':
      return advanceMigration(lifecycle, event);
    default:
      return advanceGuest(lifecycle, event);
  }
}

/** Management's commands: each accepted or refused here, and nowhere else. */
function decideCommand(lifecycle: Lifecycle, command: LifecycleCommand): Transition {
  const {name} = lifecycle;
  switch (command.type) {
    case 'pause':
      return pause(lifecycle);
    case 'resume':
      return resume(lifecycle);
    case 'reboot':
      return reboot(lifecycle);
    case 'reset':
      return reset(lifecycle);
    case 'secure':
      return secure(lifecycle);
    case 'unsecure':
      return unsecure(lifecycle);
    case 'set-policy':
      if (command.policy === lifecycle.settings.dmaPolicy)
        return refuse(lifecycle, 'same-policy', `dmaPolicy is already ${command.policy}`);
      return accept(
        {...lifecycle, settings: {...lifecycle.settings, dmaPolicy: command.policy}},
        [log(`dmaPolicy set to ${command.policy}; takes effect at the next boot`, 'config')],
        `dmaPolicy ${command.policy} takes effect at the next boot`,
      );
    case 'set-workload':
      return accept(
        lifecycle,
        [
          {kind: 'apply-workload', workload: command.workload},
          log(`workload set to ${command.workload.profile}`, 'config'),
        ],
        `${command.workload.profile} from now on`,
      );
    case 'set-svm':
      return accept({...lifecycle, settings: {...lifecycle.settings, svm: command.svm}});
    case 'crash':
      return crash(lifecycle, command.message);
    case 'power-off':
      return powerOff(lifecycle, command.isGraceful);
    case 'migrate':
      return migrate(lifecycle);
    case 'balloon':
      if (lifecycle.stage.kind === 'halted') return refuse(lifecycle, 'halted', `${name} is halted`);
      return accept(lifecycle);
  }
}

function pause(lifecycle: Lifecycle): Transition {
  const {name, vcpu} = lifecycle;
  if (lifecycle.stage.kind === 'halted')
    return refuse(lifecycle, 'halted', `${name} is halted; reboot it first`);
  if (isPausedByUserOf(lifecycle)) return refuse(lifecycle, 'already-paused', `${name} is already paused`);
  const next = vcpu.kind === 'running' ? {kind: 'paused' as const} : {...vcpu, isPausedAfter: true};
  return accept({...lifecycle, vcpu: next}, [log('paused')]);
}

function resume(lifecycle: Lifecycle): Transition {
  const {vcpu} = lifecycle;
  if (vcpu.kind === 'paused')
    return accept({...lifecycle, vcpu: {kind: 'running'}}, [log('resumed'), {kind: 'release-deferred'}]);
  if (vcpu.kind === 'stopped-for-migration' && vcpu.isPausedAfter)
    return accept({...lifecycle, vcpu: {...vcpu, isPausedAfter: false}}, [log('resumed')]);
  return refuse(lifecycle, 'not-paused', `${lifecycle.name} is not paused`);
}

/** A graceful reboot that keeps the current `svm=` setting; a paused VM is reset and held (isResetHeldOf). */
function reboot(lifecycle: Lifecycle): Transition {
  const refusal = refuseWhileMigrating(lifecycle);
  if (refusal) return refusal;
  if (isResetHeldOf(lifecycle)) return heldReset(lifecycle);
  return restart(lifecycle);
}

/**
 * Shuts down (a halted guest has nothing to drain) and cold-boots on running vCPUs: the guest is
 * running, or halted (a panic on a paused VM leaves them stopped), and `r` boots a halted one.
 */
function restart(lifecycle: Lifecycle): Transition {
  const kind = lifecycle.stage.kind;
  const isDrained = kind === 'halted' || kind === 'off';
  const effects: Effect[] = [{kind: 'shutdown', why: 'reboot', isDrained}];
  const stage: Lifecycle['stage'] = {kind: 'shutting-down', next: 'cold-boot'};
  return accept({...lifecycle, vcpu: {kind: 'running'}, stage}, effects);
}

/**
 * QEMU's system_reset: the vCPUs stay as they were. A VM that was not running is reset and held
 * before its firmware until resumed, as QEMU leaves it in prelaunch (qemu/qemu softmmu/runstate.c
 * main_loop_should_exit): a paused one as `reboot` holds it (isResetHeldOf), a halted one here
 * too, where `r` boots it; a running one reboots.
 */
function reset(lifecycle: Lifecycle): Transition {
  const refusal = refuseWhileMigrating(lifecycle);
  if (refusal) return refusal;
  if (lifecycle.stage.kind === 'halted') return heldReset(lifecycle);
  return reboot(lifecycle);
}

/**
 * `svm=on` and, where the running kernel was not started with it, a kexec into one that was:
 * prom_init reads `svm=` from the command line once, before the kernel proper runs
 * (torvalds/linux arch/powerpc/kernel/prom_init.c `early_cmdline_parse`, `setup_secure_guest`),
 * so a kernel started with svm=off never turns secure by itself. Before the kernel starts
 * (firmware, bootloader) this boot reads the new value.
 */
function secure(lifecycle: Lifecycle): Transition {
  const {name, stage} = lifecycle;
  const refusal = refuseWhileMigrating(lifecycle);
  if (refusal) return refusal;
  if (stage.kind === 'running' && lifecycle.isSvm)
    return refuse(lifecycle, 'already-secure', `${name} is already secure`);
  if (stage.kind === 'entering-secure')
    return refuse(lifecycle, 'entering-secure', `${name} is already entering secure mode (${stage.step})`);
  const next: Lifecycle = {...lifecycle, settings: {...lifecycle.settings, svm: true}};
  const readBy = svmReadBy(next);
  if (readBy !== null && lifecycle.settings.svm)
    return refuse(lifecycle, 'svm-already-set', `${name} already has svm=on set; ${readBy}`);
  if (readBy !== null) return accept(next, [], `svm=on set; ${readBy}`);
  if (stage.kind === 'halted')
    return accept(
      {...next, stage: {kind: 'booting', step: 'firmware', kernelSvm: null}, bootCount: next.bootCount + 1},
      [{kind: 'cold-boot'}],
      'svm=on set; booting',
    );
  // A guest powering off boots again for it, as a halted one does.
  if (stage.kind === 'shutting-down') {
    const booting: Lifecycle = {...next, stage: {...stage, next: 'cold-boot'}};
    return accept(booting, [], setAnswer(booting));
  }
  // The kexec is the guest kernel's own work: stopped vCPUs hold it (GuestCpu.run).
  const waitsIn = lifecycle.vcpu.kind === 'running' ? {} : {waitsIn: securityPhaseOf(lifecycle)};
  const kexec: Lifecycle = {...next, stage: {kind: 'shutting-down', next: 'kexec', ...waitsIn}};
  return accept(kexec, [{kind: 'shutdown', why: 'kexec', isDrained: false}], setAnswer(kexec));
}

/**
 * Where `svm=on` (set in `lifecycle`) is read with nothing more to do, in words: by this boot's
 * prom_init (the kernel has not started), the next boot's (a shutdown ending in a cold boot is on
 * its way) or the kexec's; null where it needs a boot or a kexec. The answer that sets svm=on and
 * the refusal that finds it set both say these words, so they say the same of the same state.
 */
function svmReadBy(lifecycle: Lifecycle): string | null {
  const {stage} = lifecycle;
  switch (stage.kind) {
    case 'off':
      return 'this boot will enter secure mode';
    case 'booting':
      return isBootSecureOf(lifecycle) ? `this boot will enter secure mode${onceResumedOf(lifecycle)}` : null;
    case 'shutting-down':
      if (stage.next === 'kexec') return `kexec into the secure kernel${onceResumedOf(lifecycle)}`;
      return isBootAfterShutdownOf(lifecycle) ? `booting ${shutDownWhenOf(lifecycle)}` : null;
    default:
      return null;
  }
}

const setAnswer = (lifecycle: Lifecycle) => `svm=on set; ${svmReadBy(lifecycle)}`;

function unsecure(lifecycle: Lifecycle): Transition {
  const refusal = refuseWhileMigrating(lifecycle);
  if (refusal) return refusal;
  if (!lifecycle.settings.svm && securityStateOf(lifecycle) === 'normal')
    return refuse(lifecycle, 'already-normal', `${lifecycle.name} is already normal (svm=off)`);
  return reboot({...lifecycle, settings: {...lifecycle.settings, svm: false}});
}

/**
 * A kernel panic (fault injection) halts the guest and terminates its secure VM. A secure guest
 * that stops being one mid-migration fails the migration first: its checks no longer hold.
 */
function crash(lifecycle: Lifecycle, message: string): Transition {
  const {name} = lifecycle;
  if (lifecycle.stage.kind === 'halted')
    return refuse(lifecycle, 'already-halted', `${name} is already halted`);
  const effects: Effect[] = [];
  if (lifecycle.isMigrating && lifecycle.isSvm)
    effects.push({
      kind: 'fail-migration',
      errorDesc: `${name} left secure mode during migration (kernel panic, UV_SVM_TERMINATE)`,
    });
  effects.push(log(`Kernel panic - not syncing: ${message}`, 'panic', 'error'));
  effects.push({kind: 'halt', where: 'panic', message, severity: 'error'});
  return accept({...lifecycle, stage: {kind: 'halted', cause: 'panic'}, isSvm: false}, effects);
}

function migrate(lifecycle: Lifecycle): Transition {
  const {name, stage} = lifecycle;
  if (lifecycle.isMigrating) return refuse(lifecycle, 'migrating', `${name} is already migrating`);
  if (stage.kind === 'halted') return refuse(lifecycle, 'halted', `${name} is halted`);
  if (stage.kind !== 'entering-secure') return accept(lifecycle);
  // The conversion is the guest's own work (UV_ESM from prom_init): stopped vCPUs hold it.
  const then = isPausedByUserOf(lifecycle)
    ? ', which waits while it is paused: resume it, then migrate when it is done'
    : '; migrate when it is done';
  return refuse(lifecycle, 'entering-secure', `${name} is entering secure mode (${stage.step})${then}`);
}
