import type {ScenarioStep} from './config/scenario-schema.js';
import type {CommandResult} from './guest.js';
import {exhaustSecureMemory, exhaustSwiotlb, injectMalformedChain} from './faults.js';
import type {World} from './world.js';

/** Runs one scenario step (or the same command from the dashboard) against the world. */
export function runStep(world: World, step: ScenarioStep): CommandResult {
  switch (step.do) {
    case 'pause':
      return world.pause(step.vm);
    case 'resume':
      return world.resume(step.vm);
    case 'reboot':
      return world.reboot(step.vm);
    case 'secure':
      return world.secure(step.vm);
    case 'unsecure':
      return world.unsecure(step.vm);
    case 'balloon':
      return world.balloon(step.vm, step.target, step.force);
    case 'policy':
      return world.setPolicy(step.vm, step.policy);
    case 'workload':
      return world.setWorkload(step.vm, {profile: step.workload});
    case 'migrate':
      return world.migrate(step.vm, step.to, {
        ...(step.maxBandwidth !== undefined && {maxBandwidthBytesPerSecond: step.maxBandwidth}),
        ...(step.downtimeLimitMs !== undefined && {downtimeLimitMs: step.downtimeLimitMs}),
        ...(step.autoConverge !== undefined && {autoConverge: step.autoConverge}),
      });
    case 'migrate-cancel':
      return world.migrateCancel(step.vm);
    case 'fault':
      return runFault(world, step);
  }
}

function runFault(world: World, step: Extract<ScenarioStep, {do: 'fault'}>): CommandResult {
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
