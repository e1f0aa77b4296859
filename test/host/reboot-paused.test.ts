import {describe, expect, it} from 'vitest';
import {runStep} from '../../src/host/command-dispatch.js';
import {previewCommand} from '../../src/host/command-preview.js';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import type {World} from '../../src/host/world.js';
import {defaultConfig, eventsOf, startWorld, vm} from '../helpers/world.js';

/**
 * Tester finding F5: `r`, `u` (and scenario reboot/unsecure, QMP x-svmtop-unsecure) on a VM the
 * user paused resumed it without saying so. A reset the host starts keeps the pause, as QEMU's
 * does (qemu/qemu softmmu/runstate.c main_loop_should_exit: a VM not running goes to prelaunch).
 */

const base = initialLifecycle('g1', {svm: true, dmaPolicy: 'access-platform-gated'});
const paused: Lifecycle = {
  ...base,
  stage: {kind: 'running'},
  bootCount: 1,
  vcpu: {kind: 'paused'},
  isSvm: true,
};
const held = {kind: 'paused', isHeldAfterReset: true};

describe('reboot and unsecure on a paused VM: reset at once, held until resumed', () => {
  it.each(['reboot', 'unsecure'] as const)('%s keeps the vCPUs stopped, as system_reset does', (type) => {
    const {next, effects, result} = transition(paused, {type});
    expect(next.vcpu).toEqual(held);
    expect(next.stage).toEqual({kind: 'shutting-down', next: 'cold-boot'});
    expect(effects).toEqual([{kind: 'shutdown', why: 'reset', isDrained: true}]);
    expect(result).toEqual({
      ok: true,
      message: 'reset at once; stays paused before its firmware until resumed',
    });
  });

  it('reboot, reset and unsecure ask one rule: the same plan but for svm=', () => {
    const reboot = transition(paused, {type: 'reboot'});
    expect(transition(paused, {type: 'reset'})).toEqual(reboot);
    const unsecure = transition(paused, {type: 'unsecure'});
    expect(unsecure.next.settings.svm).toBe(false);
    expect({...unsecure.next, settings: reboot.next.settings}).toEqual(reboot.next);
  });
});

function pausedWorld(name: string): World {
  const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
  expect(runStep(world, {at: 0, do: 'pause', vm: name}).ok).toBe(true);
  return world;
}

describe('r and u on a paused VM in the world', () => {
  it('r: nothing resumes it; the VM stays paused through the reset and p boots it', () => {
    const world = pausedWorld('churn-1');
    expect(runStep(world, {at: 0, do: 'reboot', vm: 'churn-1'})).toEqual({
      ok: true,
      message: 'reset at once; stays paused before its firmware until resumed',
    });
    world.advanceBy(5_000_000);
    expect(vm(world, 'churn-1').state).toBe('paused');
    expect(vm(world, 'churn-1').security.phase).toBe('firmware');
    expect(eventsOf(world, 'churn-1').some((text) => text.startsWith('resumed for'))).toBe(false);
    expect(runStep(world, {at: 0, do: 'resume', vm: 'churn-1'}).ok).toBe(true);
    world.advanceBy(20_000_000);
    expect(vm(world, 'churn-1').state).toBe('running');
  });

  it('the questions say the VM stays paused until p', () => {
    const world = pausedWorld('batch-1');
    const reboot = previewCommand(world, {kind: 'reboot', vm: 'batch-1'});
    const unsecure = previewCommand(world, {kind: 'unsecure', vm: 'batch-1'});
    const texts = (preview: typeof reboot) => (preview.ok ? preview.consequences.map((c) => c.text) : []);
    expect(texts(reboot)[0]).toBe(
      'paused, so reset at once (in-flight I/O dropped), svm=on stays; stays paused before its firmware until p',
    );
    expect(texts(unsecure)[0]).toBe(
      'paused, so reset at once (in-flight I/O dropped) with svm=off; stays paused before its firmware until p',
    );
  });

  it('a running VM still reboots gracefully, and the questions say so as before', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
    const reboot = previewCommand(world, {kind: 'reboot', vm: 'churn-1'});
    expect(reboot.ok && reboot.consequences[0]?.text).toBe('reboots; svm=off stays');
  });
});
