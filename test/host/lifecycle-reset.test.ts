import {describe, expect, it} from 'vitest';
import {initialLifecycle, vmStateOf, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';

const base = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
const running: Lifecycle = {...base, stage: {kind: 'running'}, bootCount: 1};
const paused: Lifecycle = {...running, vcpu: {kind: 'paused'}};
const halted: Lifecycle = {...running, stage: {kind: 'halted', cause: 'shutdown'}};

/**
 * `reset` is QEMU's system_reset: the VM is reset and its vCPUs stay as they were. One that was
 * not running is held before its firmware until resumed (qemu/qemu softmmu/runstate.c
 * main_loop_should_exit: RUN_STATE_PRELAUNCH); `reboot` (keys, scenarios) holds a paused one too,
 * and boots a halted one.
 */
describe('reset: a VM that is not running is reset and held', () => {
  it.each([
    ['paused', paused],
    ['halted (shutdown)', halted],
  ])('%s: held (paused vCPUs, marked as after a reset) while it shuts down and cold-boots', (_, from) => {
    const {next, effects, result} = transition(from, {type: 'reset'});
    expect(result.ok).toBe(true);
    expect(next.vcpu).toEqual({kind: 'paused', isHeldAfterReset: true});
    expect(next.stage).toEqual({kind: 'shutting-down', next: 'cold-boot'});
    expect(effects).toEqual([{kind: 'shutdown', why: 'reset', isDrained: true}]);
    expect(vmStateOf(next)).toBe('paused');
    const drained = transition(next, {type: 'drained'}).next;
    expect(drained.stage).toEqual({kind: 'booting', step: 'firmware', kernelSvm: null});
    expect(drained.vcpu).toEqual({kind: 'paused', isHeldAfterReset: true});
  });

  it('resume starts the held VM: running vCPUs, and the work that waited is released', () => {
    const held = transition(transition(halted, {type: 'reset'}).next, {type: 'drained'}).next;
    expect(transition(held, {type: 'pause'}).result).toMatchObject({ok: false, code: 'already-paused'});
    const {next, effects} = transition(held, {type: 'resume'});
    expect(next.vcpu).toEqual({kind: 'running'});
    expect(effects).toContainEqual({kind: 'release-deferred'});
  });

  it('a running VM reboots as before; reboot holds a paused one as reset does, and boots a halted one', () => {
    expect(transition(running, {type: 'reset'})).toEqual(transition(running, {type: 'reboot'}));
    expect(transition(paused, {type: 'reset'})).toEqual(transition(paused, {type: 'reboot'}));
    expect(transition(halted, {type: 'reboot'}).next.vcpu).toEqual({kind: 'running'});
  });

  it('refused while migrating, as reboot is', () => {
    const migrating: Lifecycle = {...paused, isMigrating: true};
    expect(transition(migrating, {type: 'reset'}).result).toMatchObject({ok: false, code: 'migrating'});
  });
});
