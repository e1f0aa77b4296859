import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {fromResult, genericError, ok, type CommandOutcome} from './qmp-command.js';
import {runStateOf} from './run-state.js';
import type {PortCommand, VmFacts} from './world-port.js';

const facts = (context: MonitorContext): VmFacts | undefined => context.port.facts(context.vm);

const isMigrating = (current: VmFacts) =>
  current.migrationStatus !== null &&
  ['setup', 'key-exchange', 'active', 'device', 'cancelling'].includes(current.migrationStatus);

const migratingError = (context: MonitorContext) =>
  genericError(`${context.vm} is migrating; cancel the migration first (migrate_cancel)`);

/** Runs `then` on the VM's live facts, or answers that the VM is gone (removed by a config reload). */
function withFacts(context: MonitorContext, then: (current: VmFacts) => CommandOutcome): CommandOutcome {
  const current = facts(context);
  return current ? then(current) : genericError(`VM ${context.vm} no longer exists`);
}

const run = (context: MonitorContext, command: PortCommand) =>
  fromResult(context.port.command(context.vm, context.origin, command));

/** system_reset (QEMU: RESET then a hard reset; svmtop's reboot drains I/O first, bounded). */
function systemReset(context: MonitorContext): CommandOutcome {
  return withFacts(context, (current) => {
    if (isMigrating(current)) return migratingError(context);
    context.announce('host-reset');
    return run(context, {kind: 'reboot'});
  });
}

/** system_powerdown: POWERDOWN now; the guest then shuts down and QEMU raises SHUTDOWN. */
function systemPowerdown(context: MonitorContext): CommandOutcome {
  return withFacts(context, (current) => {
    if (isMigrating(current)) return migratingError(context);
    context.announce('powerdown');
    if (current.haltCause !== null) return ok();
    return run(context, {kind: 'power-off', isGraceful: true});
  });
}

/** quit: SHUTDOWN (host-qmp-quit), the VM stops at once, the monitor's connections close. */
function quit(context: MonitorContext): CommandOutcome {
  return withFacts(context, (current) => {
    if (isMigrating(current)) return migratingError(context);
    context.announce('quit');
    context.disconnectAllAfterReply();
    if (current.haltCause !== null) return ok();
    return run(context, {kind: 'power-off', isGraceful: false});
  });
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
        return status === 'paused' || current.haltCause !== null ? ok() : run(context, {kind: 'pause'});
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
