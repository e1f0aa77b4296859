import {describe, expect, it} from 'vitest';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import type {World} from '../../src/host/world.js';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

const powerdown = {do: 'power-off', isGraceful: true} as const;
/** 50 ms … 3 s in 50 ms steps: firmware, bootloader, the kernel and the secure transition. */
const INSTANTS_US = Array.from({length: 60}, (_, i) => (i + 1) * 50_000);

/** Powers web-1 down gracefully at `atUs` (paused first, resumed 1 s later, if asked), then runs 12 s. */
function sweep(atUs: number, isPaused: boolean): World {
  const config = defaultConfig();
  const world = startWorld({...config, guests: config.guests.filter((guest) => guest.name === 'web-1')}, 1);
  world.advanceTo(atUs);
  if (isPaused) world.pause('web-1');
  expect(world.command('web-1', powerdown).ok).toBe(true);
  if (isPaused) {
    world.advanceBy(1_000_000);
    expect(world.resume('web-1').ok).toBe(true);
  }
  runChecked(world, 12);
  return world;
}

/**
 * The reviewer's sweep. QEMU queues the EPOW event and pulses its interrupt (qemu/qemu
 * hw/ppc/spapr_events.c spapr_powerdown_req); the guest kernel takes it only once its handler is
 * registered (torvalds/linux arch/powerpc/platforms/pseries/ras.c init_ras_IRQ, a subsys
 * initcall), so a powerdown during the firmware, the bootloader or the secure transition waits
 * for the kernel, and the guest then powers itself off.
 */
describe('system_powerdown while web-1 boots or enters secure mode', () => {
  for (const isPaused of [true, false]) {
    it(`${isPaused ? 'paused, then cont' : 'running'}: never throws; the guest boots on and powers itself off`, () => {
      for (const atUs of INSTANTS_US) {
        const world = sweep(atUs, isPaused);
        expect(world.guest('web-1')!.lifecycle.stage, `at ${atUs} µs`).toEqual({
          kind: 'halted',
          cause: 'shutdown',
        });
        expect(vm(world, 'web-1').state, `at ${atUs} µs`).toBe('halted');
        const messages = eventsOf(world, 'web-1');
        const ran = messages.findIndex((message) => message.startsWith('running secure on'));
        expect(ran, `at ${atUs} µs`).toBeGreaterThan(0);
        expect(messages.indexOf('EPOW: Power off requested'), `at ${atUs} µs`).toBeGreaterThan(ran);
        expect(messages.filter((message) => message === 'power-off: shutting down')).toHaveLength(1);
      }
    });
  }
});

describe('a queued EPOW is settled in the transition', () => {
  const booting = (): Lifecycle => {
    let lifecycle = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
    for (const type of ['power-on', 'firmware-done', 'bootloader-done', 'kernel-early'] as const)
      lifecycle = transition(lifecycle, {type}).next;
    return lifecycle;
  };

  it('queued while booting: the stage is untouched; the guest takes it when it runs', () => {
    const queued = transition(booting(), {type: 'power-off', isGraceful: true});
    expect(queued.result).toEqual({ok: true, message: 'EPOW raised; the guest powers off once booted'});
    expect(queued.next).toMatchObject({stage: {kind: 'booting', step: 'probe'}, isEpowPending: true});
    const ran = transition(queued.next, {type: 'probe-done'});
    expect(ran.next).toMatchObject({stage: {kind: 'shutting-down', next: 'power-off'}, isEpowPending: false});
    expect(ran.effects.map((effect) => effect.kind)).toEqual(['start-running', 'log', 'shutdown']);
  });

  it('a reboot or a reset (a machine reset) drops it: the next boot runs on', () => {
    for (const type of ['reboot', 'reset'] as const) {
      const queued = transition(booting(), {type: 'power-off', isGraceful: true}).next;
      const restarted = transition(queued, {type});
      expect(restarted.next.isEpowPending, type).toBe(false);
    }
  });
});
