import {describe, expect, it} from 'vitest';
import {runStep} from '../../src/host/command-dispatch.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

describe('guest work queued on stopped vCPUs belongs to its boot', () => {
  it('a paused secure kexec, then a graceful power-off: resume runs only the power-off', () => {
    const running = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
    expect(runStep(running, {at: 0, do: 'pause', vm: 'legacy-1'}).ok).toBe(true);
    expect(runStep(running, {at: 0, do: 'secure', vm: 'legacy-1'}).ok).toBe(true);
    running.advanceTo(6_000_000);
    expect(running.command('legacy-1', {do: 'power-off', isGraceful: true}, 'system_powerdown').ok).toBe(
      true,
    );
    running.advanceTo(7_000_000);
    expect(runStep(running, {at: 0, do: 'resume', vm: 'legacy-1'}).ok).toBe(true);
    running.advanceTo(30_000_000);
    expect(vm(running, 'legacy-1')).toMatchObject({state: 'halted', security: {state: 'normal'}});
  });
});
