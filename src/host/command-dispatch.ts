import type {ScenarioStep} from './config/scenario-schema.js';
import type {CheckedResult} from './guest.js';
import type {GuestCommand} from './guest-commands.js';
import {exhaustSecureMemory, exhaustSwiotlb, injectMalformedChain} from './faults.js';
import type {World} from './world.js';

type CommandStep = Exclude<ScenarioStep, {do: 'fault'}>;

/** Runs one scenario step (or the same command from the dashboard) against the world. */
export function runStep(world: World, step: ScenarioStep): CheckedResult {
  if (step.do === 'fault') return runFault(world, step);
  const command = commandOf(step);
  return world.command(step.vm, command, command.do === 'migrate' ? `migrate to ${command.to}` : command.do);
}

/** What running `step` would answer now, without running it (faults are always tried: ok). */
export function checkStep(world: World, step: ScenarioStep): CheckedResult {
  if (step.do === 'fault') return {ok: true};
  return world.check(step.vm, commandOf(step));
}

/** A scenario step's command in the host's words. */
export function commandOf(step: CommandStep): GuestCommand {
  switch (step.do) {
    case 'balloon':
      return {do: 'balloon', targetBytes: step.target, isForced: step.force};
    case 'policy':
      return {do: 'policy', policy: step.policy};
    case 'workload':
      return {do: 'workload', workload: {profile: step.workload}};
    case 'migrate':
      return {
        do: 'migrate',
        to: step.to,
        params: {
          ...(step.maxBandwidth !== undefined && {maxBandwidthBytesPerSecond: step.maxBandwidth}),
          ...(step.downtimeLimitMs !== undefined && {downtimeLimitMs: step.downtimeLimitMs}),
          ...(step.autoConverge !== undefined && {autoConverge: step.autoConverge}),
        },
      };
    default:
      return {do: step.do};
  }
}

function runFault(world: World, step: Extract<ScenarioStep, {do: 'fault'}>): CheckedResult {
  if (step.kind === 'link-down' || step.kind === 'link-up') {
    const [a, b] = step.hosts ?? ['', ''];
    return world.setLinkDown(a, b, step.kind === 'link-down');
  }
  const vm = step.vm ?? '';
  switch (step.kind) {
    case 'key-exchange':
      return world.injectKeyExchangeFault(vm);
    case 'crash':
      return world.crash(vm);
    case 'malformed-chain':
      return world.runOnGuest(vm, 'fault malformed-chain', injectMalformedChain);
    case 'secure-memory-exhaustion':
      return world.runOnGuest(vm, 'fault secure-memory-exhaustion', exhaustSecureMemory);
    case 'swiotlb-exhaustion':
      return world.runOnGuest(vm, 'fault swiotlb-exhaustion', exhaustSwiotlb);
  }
}
