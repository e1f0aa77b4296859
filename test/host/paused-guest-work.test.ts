import {describe, expect, it} from 'vitest';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';
import {previewCommand} from '../../src/host/command-preview.js';
import type {World} from '../../src/host/world.js';
import {initialLifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';

/** Events the VM logged from `from` on (its own, not the `command: ok` answers). */
function eventsSince(world: World, name: string, from: number): string[] {
  return eventsOf(world, name)
    .slice(from)
    .filter((message) => !/^[a-z-]+( [a-z-]+)?: ok/.test(message));
}

/**
 * Guest work waits for stopped vCPUs: a kexec is the guest kernel's own (torvalds/linux
 * kernel/kexec_core.c kernel_kexec runs on a CPU of the guest), as UV_ESM and the conversion are.
 */
describe('secure on a paused VM: the kexec waits until it is resumed', () => {
  it('nothing of the kexec happens while paused; all of it once resumed', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    expect(world.pause('rogue-1').ok).toBe(true);
    const from = eventsOf(world, 'rogue-1').length;
    const answer = world.secure('rogue-1');
    expect(answer).toEqual({ok: true, message: 'svm=on set; kexec into the secure kernel once resumed'});
    runChecked(world, 3);
    const whilePaused = eventsSince(world, 'rogue-1', from);
    expect(whilePaused.filter((message) => /kexec|Linux: booting|secure/.test(message))).toEqual([]);
    expect(vm(world, 'rogue-1').state).toBe('paused');
    expect(vm(world, 'rogue-1').security.phase).toBe('running');
    expect(world.resume('rogue-1').ok).toBe(true);
    runChecked(world, 10);
    const after = eventsSince(world, 'rogue-1', from);
    expect(after).toContain('kexec: shutting down');
    expect(after).toContain('kexec: rebooting into the kernel with svm=on');
    expect(after).toContain('resumed');
    expect(after.indexOf('resumed')).toBeLessThan(after.indexOf('kexec: shutting down'));
  });
});

/**
 * QEMU 7.2's system_reset of a stopped VM resets it at once and leaves it in prelaunch: no
 * firmware runs until `cont` (qemu/qemu softmmu/runstate.c main_loop_should_exit).
 */
describe('reset of a paused VM: SLOF runs only once it is resumed', () => {
  it('held before the firmware, and the firmware boots after resume', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    world.pause('churn-1');
    const from = eventsOf(world, 'churn-1').length;
    expect(world.command('churn-1', {do: 'reset'}).ok).toBe(true);
    runChecked(world, 3);
    const whilePaused = eventsSince(world, 'churn-1', from);
    expect(whilePaused).toContain('reset: devices reset at once (in-flight I/O dropped)');
    expect(whilePaused.filter((message) => message.startsWith('SLOF'))).toEqual([]);
    world.resume('churn-1');
    runChecked(world, 10);
    const after = eventsSince(world, 'churn-1', from);
    expect(after).toContain('resumed');
    expect(after.indexOf('resumed')).toBeLessThan(after.findIndex((message) => message.startsWith('SLOF')));
    expect(vm(world, 'churn-1').state).toBe('running');
  });
});

describe('a kexec waiting on a paused VM gives way to what comes after it', () => {
  it('reboot resets the VM at once and keeps it paused; the waiting kexec never runs, resumed or not', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    world.pause('rogue-1');
    const from = eventsOf(world, 'rogue-1').length;
    world.secure('rogue-1');
    expect(world.reboot('rogue-1').ok).toBe(true);
    runChecked(world, 10);
    expect(world.resume('rogue-1').ok).toBe(true);
    runChecked(world, 10);
    const after = eventsSince(world, 'rogue-1', from);
    expect(after.filter((message) => message.startsWith('kexec'))).toEqual([]);
    expect(after.filter((message) => message.startsWith('reset: devices reset at once'))).toHaveLength(1);
    expect(after.filter((message) => message === 'reboot: shutting down')).toEqual([]);
  });
});

describe('the question before secure on a paused VM says when the kexec happens', () => {
  it('kexec ... once resumed', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    world.pause('rogue-1');
    const preview = previewCommand(world, {kind: 'secure', vm: 'rogue-1'});
    expect(preview.ok && preview.consequences[0]).toEqual({
      code: 'kexec',
      text: 'kexec into its kernel with svm=on once resumed',
    });
  });
});

describe('a second secure while the kexec waits says what is true', () => {
  it('the question and the answer both say the kexec happens once resumed; a second secure says it is set', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    world.pause('rogue-1');
    const preview = previewCommand(world, {kind: 'secure', vm: 'rogue-1'});
    expect(preview.ok && preview.consequences[0]).toEqual({
      code: 'kexec',
      text: 'kexec into its kernel with svm=on once resumed',
    });
    expect(world.secure('rogue-1')).toEqual({
      ok: true,
      message: 'svm=on set; kexec into the secure kernel once resumed',
    });
    const already = {
      ok: false,
      code: 'svm-already-set',
      reason: 'rogue-1 already has svm=on set; kexec into the secure kernel once resumed',
    };
    expect(previewCommand(world, {kind: 'secure', vm: 'rogue-1'})).toEqual(already);
    expect(world.secure('rogue-1')).toEqual(already);
  });

  it('a second secure while the kexec drains (vCPUs running) says svm=on is set and the kexec, not this boot', () => {
    let lifecycle = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
    for (const type of [
      'power-on',
      'firmware-done',
      'bootloader-done',
      'kernel-early',
      'probe-done',
    ] as const)
      lifecycle = transition(lifecycle, {type}).next;
    const draining = transition(lifecycle, {type: 'secure'}).next;
    expect(draining.stage).toEqual({kind: 'shutting-down', next: 'kexec'});
    const again = transition(draining, {type: 'secure'});
    expect(again.result).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'g1 already has svm=on set; kexec into the secure kernel',
    });
    expect(again.effects).toEqual([]);
  });
});

describe('the phase while the kexec waits is the one the guest is still in', () => {
  it('running while paused; shutdown once resumed and the kexec drains', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    expect(vm(world, 'rogue-1').security.phase).toBe('running');
    world.pause('rogue-1');
    world.secure('rogue-1');
    runChecked(world, 1);
    expect(vm(world, 'rogue-1').security.phase).toBe('running');
    world.resume('rogue-1');
    expect(['shutdown', 'kernel']).toContain(vm(world, 'rogue-1').security.phase);
  });
});
