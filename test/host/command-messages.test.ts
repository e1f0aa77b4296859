import {describe, expect, it} from 'vitest';
import {runStep} from '../../src/host/command-dispatch.js';
import {defaultConfig, eventsOf, startWorld} from '../helpers/world.js';

// A new user pressed `B` on an empty balloon and read `balloon: ok (target 0B)` again, and `w`
// logged `workload: ok` without the profile it set: each command's event says what it did.

function world() {
  return startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
}

const last = (events: string[], prefix: string) => events.filter((text) => text.startsWith(prefix)).at(-1);

describe('the events of a command say what it did', () => {
  it('a balloon already at the target asked for says so (code unchanged: ok)', () => {
    const running = world();
    const result = runStep(running, {at: 0, do: 'balloon', vm: 'churn-1', target: 0, force: false});
    expect(result.ok).toBe(true);
    expect(last(eventsOf(running, 'churn-1'), 'balloon:')).toBe(
      'balloon: ok (already at its target 0B, nothing to change)',
    );
  });

  it('a balloon given a new target names it, as before', () => {
    const running = world();
    runStep(running, {at: 0, do: 'balloon', vm: 'churn-1', target: 256 << 20, force: false});
    expect(last(eventsOf(running, 'churn-1'), 'balloon:')).toBe('balloon: ok (target 256MiB)');
    // Asked again before the guest has inflated it: the target is the same, the balloon not there yet.
    runStep(running, {at: 0, do: 'balloon', vm: 'churn-1', target: 256 << 20, force: false});
    expect(last(eventsOf(running, 'churn-1'), 'balloon:')).toBe('balloon: ok (target 256MiB)');
  });

  it('a workload names the profile it set', () => {
    const running = world();
    const result = runStep(running, {at: 0, do: 'workload', vm: 'churn-1', workload: 'idle'});
    expect(result).toMatchObject({ok: true, message: 'idle from now on'});
    expect(last(eventsOf(running, 'churn-1'), 'workload:')).toBe('workload: ok (idle from now on)');
  });
});
