import {describe, expect, it} from 'vitest';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import {BootTiming} from '../../src/host/boot-timing.js';
import {defaultConfig, runChecked, startWorld, vm} from '../helpers/world.js';

const powerOff = (isGraceful: boolean) => ({do: 'power-off', isGraceful}) as const;

/** A lifecycle run to `running` through the boot steps, as the guest's timers would report them. */
function runningLifecycle(): Lifecycle {
  let lifecycle = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
  for (const type of ['power-on', 'firmware-done', 'bootloader-done', 'kernel-early', 'probe-done'] as const)
    lifecycle = transition(lifecycle, {type}).next;
  return lifecycle;
}

describe('power-off (QMP system_powerdown and quit) is a lifecycle command', () => {
  it('graceful: the guest drains and halts (shutdown, info); its secure memory goes back; a reboot boots it', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 20});
    expect(vm(world, 'web-1').security.state).toBe('secure');
    expect(world.command('web-1', powerOff(true))).toEqual({ok: true});
    runChecked(world, 1);
    expect(vm(world, 'web-1')).toMatchObject({state: 'halted', security: {state: 'normal', phase: 'halted'}});
    expect(world.guest('web-1')!.lifecycle.stage).toEqual({kind: 'halted', cause: 'shutdown'});
    const halt = world.events.recent(50, 'web-1').find((event) => event.message.startsWith('halted'));
    expect(halt).toMatchObject({
      severity: 'info',
      message: 'halted (shutdown): the guest powered itself off',
    });
    const alpha = world.getSnapshot().hosts.find((host) => host.name === 'alpha')!;
    expect(alpha.memory.secureUsedBytes).toBe(0);
    expect(world.reboot('web-1').ok).toBe(true);
    runChecked(world, 20);
    expect(vm(world, 'web-1')).toMatchObject({state: 'running', security: {state: 'secure'}});
  });

  it('immediate: halted (power-off) at once; graceful then accepted as QEMU does; refused while migrating', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    expect(world.check('legacy-1', powerOff(false))).toEqual({ok: true});
    expect(world.command('legacy-1', powerOff(false), 'power-off (immediate)')).toEqual({ok: true});
    expect(world.guest('legacy-1')!.lifecycle.stage).toEqual({kind: 'halted', cause: 'power-off'});
    // Before: refused (already-halted), so QMP answered {} and logged nothing (powerdown-while-off.test.ts).
    expect(world.command('legacy-1', powerOff(true))).toEqual({
      ok: true,
      message: 'already off; POWERDOWN raised, no guest runs to take the EPOW',
    });
    expect(world.migrate('churn-1', 'beta').ok).toBe(true);
    expect(world.command('churn-1', powerOff(false))).toMatchObject({ok: false, code: 'migrating'});
    runChecked(world, 1);
  });

  // QEMU does not resume for system_powerdown: it raises POWERDOWN and the EPOW interrupt
  // (qemu/qemu softmmu/runstate.c main_loop_should_exit, hw/ppc/spapr_events.c spapr_powerdown_req);
  // the guest's handler (torvalds/linux arch/powerpc/platforms/pseries/ras.c) runs once resumed.
  it('a paused guest stays paused; its EPOW handler runs (log, 100 ms, shutdown) only once resumed', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    world.pause('legacy-1');
    const atUs = world.nowUs;
    const said = () =>
      world.events
        .recent(200, 'legacy-1')
        .filter((event) => event.tUs >= atUs)
        .map((event) => event.message);
    expect(world.command('legacy-1', powerOff(true))).toEqual({
      ok: true,
      message: 'EPOW raised; the guest powers off once resumed',
    });
    runChecked(world, 2);
    expect(world.guest('legacy-1')!.lifecycle).toMatchObject({
      vcpu: {kind: 'paused'},
      stage: {kind: 'shutting-down', next: 'power-off', waitsIn: 'running'},
    });
    expect(said()).not.toContain('resumed for power-off');
    expect(said()).not.toContain('EPOW: Power off requested');
    const resumedUs = world.nowUs;
    expect(world.resume('legacy-1').ok).toBe(true);
    expect(said()).toContain('EPOW: Power off requested');
    world.advanceBy(BootTiming.epowResponseUs - 1);
    expect(said()).not.toContain('power-off: shutting down');
    runChecked(world, 1);
    const shutting = world.events
      .recent(200, 'legacy-1')
      .find((e) => e.message === 'power-off: shutting down');
    expect(shutting!.tUs).toBe(resumedUs + BootTiming.epowResponseUs);
    expect(world.guest('legacy-1')!.lifecycle.stage).toEqual({kind: 'halted', cause: 'shutdown'});
  });

  it('a power-off waiting for a paused guest is cleared by a reset, a crash or a quit', () => {
    for (const clear of ['reset', 'crash', 'quit'] as const) {
      const world = startWorld(defaultConfig(), 1, {seconds: 5});
      world.pause('legacy-1');
      world.command('legacy-1', powerOff(true));
      if (clear === 'reset') world.command('legacy-1', {do: 'reset'});
      else if (clear === 'crash') world.crash('legacy-1');
      else world.command('legacy-1', powerOff(false));
      const atUs = world.nowUs;
      if (clear === 'reset') world.resume('legacy-1');
      else {
        // A stale EPOW handler only runs once the vCPUs run again: boot the guest anew, then
        // pause and resume it, so deferred work that survived the crash or quit would fire.
        expect(world.reboot('legacy-1'), clear).toMatchObject({ok: true});
        runChecked(world, 20);
        expect(world.pause('legacy-1').ok, clear).toBe(true);
        expect(world.resume('legacy-1').ok, clear).toBe(true);
      }
      runChecked(world, 20);
      const messages = world.events
        .recent(500, 'legacy-1')
        .filter((event) => event.tUs >= atUs)
        .map((event) => event.message);
      expect(messages, clear).not.toContain('EPOW: Power off requested');
      expect(messages, clear).not.toContain('power-off: shutting down');
      expect(vm(world, 'legacy-1').state, clear).toBe('running');
    }
  });

  it('secure during a graceful power-off keeps its promise: the guest boots again, with svm=on, once it is down', () => {
    const shuttingDown = transition(runningLifecycle(), {type: 'power-off', isGraceful: true}).next;
    const secure = transition(shuttingDown, {type: 'secure'});
    expect(secure.result.ok).toBe(true);
    const drained = transition(secure.next, {type: 'drained'}).next;
    expect(drained).toMatchObject({stage: {kind: 'booting', step: 'firmware'}, settings: {svm: true}});
  });
});

/**
 * The pseries guest's EPOW handler logs and calls orderly_poweroff (torvalds/linux
 * arch/powerpc/platforms/pseries/ras.c handle_system_shutdown); the shutdown itself starts
 * BootTiming.epowResponseUs later, all of it: the workload, the drain and its limit.
 */
describe('system_powerdown: the whole shutdown starts when the guest gets to it', () => {
  it('the lifecycle decides the delay: a graceful power-off shuts down after the EPOW response', () => {
    const {effects} = transition(runningLifecycle(), {type: 'power-off', isGraceful: true});
    expect(effects.find((effect) => effect.kind === 'shutdown')).toEqual({
      kind: 'shutdown',
      why: 'power-off',
      isDrained: false,
      afterUs: BootTiming.epowResponseUs,
    });
  });

  it('EPOW seen at the command; nothing of the shutdown until 100 ms later', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    const atUs = world.nowUs;
    world.command('churn-1', powerOff(true));
    const said = () => world.events.recent(200, 'churn-1').filter((event) => event.tUs >= atUs);
    expect(said().map((event) => event.message)).not.toContain('power-off: shutting down');
    world.advanceBy(BootTiming.epowResponseUs - 1);
    expect(said().map((event) => event.message)).not.toContain('power-off: shutting down');
    world.advanceBy(1);
    const messages = said().map((event) => event.message);
    expect(messages.indexOf('EPOW: Power off requested')).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf('EPOW: Power off requested')).toBeLessThan(
      messages.indexOf('power-off: shutting down'),
    );
    const shutting = said().find((event) => event.message === 'power-off: shutting down')!;
    expect(shutting.tUs).toBe(atUs + BootTiming.epowResponseUs);
  });

  it('the guest goes on working while its EPOW handler waits: I/O completes until the shutdown starts', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    const completed = () =>
      vm(world, 'bounce-test').devices.reduce((sum, device) => sum + device.completed, 0);
    world.command('bounce-test', powerOff(true));
    const atCommand = completed();
    world.advanceBy(BootTiming.epowResponseUs - 1);
    expect(completed()).toBeGreaterThan(atCommand);
  });

  it('repeated powerdowns do not put the power-off off: one shutdown, halted in time', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    const atUs = world.nowUs;
    for (let i = 0; i < 30; i++) {
      world.command('churn-1', powerOff(true));
      world.advanceBy(50_000);
    }
    const messages = world.events
      .recent(100_000, 'churn-1')
      .filter((event) => event.tUs >= atUs)
      .map((event) => event.message);
    expect(messages.filter((message) => message === 'power-off: shutting down')).toHaveLength(1);
    expect(messages.filter((message) => message === 'EPOW: Power off requested')).toHaveLength(1);
    expect(vm(world, 'churn-1').state).toBe('halted');
  });

  it('a second powerdown while paused mid-shutdown changes nothing: the vCPUs stay stopped', () => {
    const shuttingDown = transition(runningLifecycle(), {type: 'power-off', isGraceful: true}).next;
    const paused = transition(shuttingDown, {type: 'pause'}).next;
    const again = transition(paused, {type: 'power-off', isGraceful: true});
    expect(again.next).toEqual(paused);
    expect(again.effects).toEqual([]);
    expect(again.result).toEqual({ok: true, message: 'EPOW raised; the guest powers off once resumed'});
  });
});
