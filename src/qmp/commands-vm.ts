import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {fromResult, genericError, ok, refusalText, type CommandOutcome} from './qmp-command.js';
import {runStateOf} from './run-state.js';
import type {CheckedResult, PortCommand, VmFacts} from './world-port.js';

const facts = (context: MonitorContext): VmFacts | undefined => context.port.facts(context.vm);

const isMigrating = (current: VmFacts) =>
  current.migrationStatus !== null && ['setup', 'active', 'cancelling'].includes(current.migrationStatus);

/** The world's refusal in QMP's words: a migration under way names QMP's own way out. */
function refused(context: MonitorContext, result: CheckedResult & {ok: false}): CommandOutcome {
  if (result.code === 'no-such-vm') return genericError(`VM ${context.vm} no longer exists`);
  return genericError(refusalText(result));
}

/** Runs `then` on the VM's live facts, or answers that the VM is gone (removed by a config reload). */
function withFacts(context: MonitorContext, then: (current: VmFacts) => CommandOutcome): CommandOutcome {
  const current = facts(context);
  return current ? then(current) : genericError(`VM ${context.vm} no longer exists`);
}

const run = (context: MonitorContext, command: PortCommand) =>
  fromResult(context.port.command(context.vm, context.origin, command));

/**
 * system_reset: RESET, then the reset (QEMU: qemu_system_reset; svmtop's reboot drains I/O first,
 * bounded). A VM not running stays stopped, in prelaunch, until `cont`. Asked first, so that a
 * refused reset raises no RESET.
 */
function systemReset(context: MonitorContext): CommandOutcome {
  const check = context.port.check(context.vm, {kind: 'reset'});
  if (!check.ok) return refused(context, check);
  context.announce('host-reset');
  return run(context, {kind: 'reset'});
}

/** system_powerdown: POWERDOWN now; the guest then shuts down and QEMU raises SHUTDOWN (a VM off stays off). */
function systemPowerdown(context: MonitorContext): CommandOutcome {
  const powerOff: PortCommand = {kind: 'power-off', isGraceful: true};
  const check = context.port.check(context.vm, powerOff);
  if (!check.ok) return refused(context, check);
  context.announce('powerdown');
  return run(context, powerOff);
}

/**
 * quit: the VM stops at once, SHUTDOWN (host-qmp-quit) is raised from its halt before the reply,
 * and the monitor's connections close. A VM already off says SHUTDOWN all the same, as a QEMU
 * that quits does (softmmu/runstate.c qemu_system_shutdown); the host accepts it and logs it as
 * it logs every command.
 */
function quit(context: MonitorContext): CommandOutcome {
  const powerOff: PortCommand = {kind: 'power-off', isGraceful: false};
  const check = context.port.check(context.vm, powerOff);
  if (!check.ok) return refused(context, check);
  context.disconnectAllAfterReply();
  // No halt comes of it, so nothing else will raise SHUTDOWN.
  if ((facts(context)?.haltCause ?? null) !== null) context.announce('quit-while-off');
  return run(context, powerOff);
}

/** CpuInfoFast per vCPU, laid out as QEMU's pseries machine names its cores. */
function queryCpusFast(context: MonitorContext): CommandOutcome {
  const vcpus = context.port.snapshot(context.vm)?.vcpus ?? 0;
  return ok(
    Array.from({length: vcpus}, (_, index) => ({
      'cpu-index': index,
      'qom-path': `/machine/unattached/device[${index + 1}]/thread[0]`,
      // Every simulated vCPU runs on svmtop's one thread.
      'thread-id': process.pid,
      props: {'core-id': index, 'node-id': 0},
      target: 'ppc64',
    })),
  );
}

export const VM_COMMANDS: readonly MonitorCommand[] = [
  {
    name: 'query-status',
    run: (context) =>
      withFacts(context, (current) => {
        const status = runStateOf(current);
        return ok({running: status === 'running', singlestep: false, status});
      }),
  },
  {
    // softmmu/cpus.c qmp_stop: a no-op when the VM is not running.
    name: 'stop',
    run: (context) =>
      withFacts(context, (current) => {
        const status = runStateOf(current);
        // A VM in prelaunch is not running either: stop leaves it there (vm_stop does nothing).
        const isStopped = status === 'paused' || status === 'prelaunch' || current.haltCause !== null;
        return isStopped ? ok() : run(context, {kind: 'pause'});
      }),
  },
  {
    // monitor/qmp-cmds.c qmp_cont: refused after a shutdown or a panic, a no-op when running.
    name: 'cont',
    run: (context) =>
      withFacts(context, (current) => {
        if (current.haltCause !== null) return genericError('Resetting the Virtual Machine is required');
        return current.isPausedByUser ? run(context, {kind: 'resume'}) : ok();
      }),
  },
  {name: 'system_reset', run: systemReset},
  {name: 'system_powerdown', run: systemPowerdown},
  {name: 'quit', run: quit},
  {name: 'query-cpus-fast', run: queryCpusFast},
];

export {isMigrating};
