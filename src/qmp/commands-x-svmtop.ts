import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {fromResult, genericError, ok, refusalText, type CommandOutcome} from './qmp-command.js';
import {DMA_POLICIES, WORKLOADS, type DmaPolicy, type PortCommand, type WorkloadName} from './world-port.js';

/**
 * svmtop's own commands, for what QEMU has no command for: the guest turning itself secure or
 * back to normal, its DMA policy and workload, and what the ultravisor, the swiotlb pool and the
 * migration picker know. Experimental by QAPI's convention (`x-` prefix); their shapes may change.
 */

const run = (context: MonitorContext, command: PortCommand) =>
  fromResult(context.port.command(context.vm, context.origin, command));

function querySecurity(context: MonitorContext): CommandOutcome {
  const vm = context.port.snapshot(context.vm);
  if (!vm) return genericError(`VM ${context.vm} no longer exists`);
  const {security} = vm;
  return ok({
    state: security.state,
    phase: security.phase,
    progress: security.progress,
    declared: security.declared,
    svm: vm.svm,
    host: vm.host,
    'dma-policy': vm.dmaPolicy,
    failure: security.failure ?? undefined,
  });
}

function querySwiotlb(context: MonitorContext): CommandOutcome {
  const pool = context.port.snapshot(context.vm)?.swiotlb;
  if (!pool)
    return genericError(
      `${context.vm} has no swiotlb pool: its kernel creates one when it turns secure or boots with swiotlb=force`,
    );
  return ok({
    nslabs: pool.nslabs,
    nareas: pool.nareas,
    used: pool.used,
    hiwater: pool.hiwater,
    'map-failures': pool.mapFailures,
    'bounced-bytes-to-device': pool.bouncedBytesToDevice,
    'bounced-bytes-from-device': pool.bouncedBytesFromDevice,
    'used-by-device': Object.entries(pool.usedByDevice).map(([device, slots]) => ({device, slots})),
    'recommended-nslabs': pool.recommendedNslabs,
  });
}

export const X_SVMTOP_COMMANDS: readonly MonitorCommand[] = [
  {name: 'x-svmtop-secure', run: (context) => run(context, {kind: 'secure'})},
  {name: 'x-svmtop-unsecure', run: (context) => run(context, {kind: 'unsecure'})},
  {
    name: 'x-svmtop-set-dma-policy',
    args: [{name: 'policy', type: {enum: DMA_POLICIES}}],
    run: (context, args) => run(context, {kind: 'policy', policy: args.policy as DmaPolicy}),
  },
  {
    name: 'x-svmtop-set-workload',
    args: [{name: 'workload', type: {enum: WORKLOADS}}],
    run: (context, args) => run(context, {kind: 'workload', workload: args.workload as WorkloadName}),
  },
  {name: 'x-svmtop-query-security', run: querySecurity},
  {name: 'x-svmtop-query-swiotlb', run: querySwiotlb},
  {
    name: 'x-svmtop-query-migrate-targets',
    run: (context) => {
      const answer = context.port.migrationTargets(context.vm);
      if (!answer.ok) return genericError(refusalText(answer));
      return ok(
        answer.targets.map((check) => ({host: check.host, 'blocked-reasons': [...check.blockedReasons]})),
      );
    },
  },
];
