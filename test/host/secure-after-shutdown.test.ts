import {describe, expect, it} from 'vitest';
import {previewCommand} from '../../src/host/command-preview.js';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

/** legacy-1 running with svm=off, its EPOW handler up, asked to power off gracefully. */
function poweringOff() {
  const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
  expect(vm(world, 'legacy-1')).toMatchObject({state: 'running', svm: false});
  expect(world.command('legacy-1', {do: 'power-off', isGraceful: true}).ok).toBe(true);
  expect(world.guest('legacy-1')!.lifecycle.stage).toEqual({kind: 'shutting-down', next: 'power-off'});
  return world;
}

const texts = (preview: ReturnType<typeof previewCommand>) =>
  preview.ok ? preview.consequences.map((consequence) => `${consequence.code}: ${consequence.text}`) : [];

describe('secure on a guest shutting down: both answers say the same of the same state', () => {
  it('the first `s` sets svm=on and boots once shut down; the second says that is already so', () => {
    const world = poweringOff();
    expect(world.secure('legacy-1')).toEqual({
      ok: true,
      message: 'svm=on set; booting once it has shut down',
    });
    expect(world.guest('legacy-1')!.lifecycle.stage).toEqual({kind: 'shutting-down', next: 'cold-boot'});
    // Before: 'legacy-1 already has svm=on set; this boot will enter secure mode', of a guest still shutting down.
    expect(world.secure('legacy-1')).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; booting once it has shut down',
    });
  });

  it("the dashboard's question says it boots once shut down; its refusal is the host's", () => {
    const world = poweringOff();
    // Before: 'kexec: this boot enters secure mode' (no kexec, no cold-boot effect in the plan).
    expect(texts(previewCommand(world, {kind: 'secure', vm: 'legacy-1'}))[0]).toBe(
      'kexec: boots with svm=on once it has shut down',
    );
    expect(world.secure('legacy-1').ok).toBe(true);
    expect(previewCommand(world, {kind: 'secure', vm: 'legacy-1'})).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; booting once it has shut down',
    });
  });

  it('a reboot draining its I/O reads svm=on at the boot after its shutdown, and says so', () => {
    const running = transition(initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'}), {
      type: 'power-on',
    }).next;
    const draining: Lifecycle = {...running, stage: {kind: 'shutting-down', next: 'cold-boot'}};
    // Before: 'svm=on set; this boot will enter secure mode', while this boot was ending.
    const first = transition(draining, {type: 'secure'});
    expect(first.result).toEqual({ok: true, message: 'svm=on set; booting once it has shut down'});
    expect(transition(first.next, {type: 'secure'}).result).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'g1 already has svm=on set; booting once it has shut down',
    });
  });
});
