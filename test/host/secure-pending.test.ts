import {describe, expect, it} from 'vitest';
import {initialLifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {isSecurePendingOf} from '../../src/host/lifecycle/pending-work.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import {defaultConfig, runChecked, startWorld} from '../helpers/world.js';

/** Before the kernel starts, this boot's prom_init reads the `svm=` set now (transition.ts secure). */
describe('a boot that will read svm=on is secure-pending from the firmware on', () => {
  it('churn-1 off, then `secure`: booting with svm=on, so it cannot go to delta (no ultravisor)', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
    expect(world.command('churn-1', {do: 'power-off', isGraceful: false}).ok).toBe(true);
    expect(world.secure('churn-1')).toEqual({ok: true, message: 'svm=on set; booting'});
    expect(world.guest('churn-1')!.lifecycle.stage).toEqual({
      kind: 'booting',
      step: 'firmware',
      kernelSvm: null,
    });
    expect(world.migrate('churn-1', 'delta')).toMatchObject({ok: false, code: 'migration-blocked'});
    runChecked(world, 1);
  });

  it('the answer to `secure` and the migration checks ask the same question', () => {
    let lifecycle = initialLifecycle('g1', {svm: true, dmaPolicy: 'access-platform-gated'});
    lifecycle = transition(lifecycle, {type: 'power-on'}).next;
    expect(isSecurePendingOf(lifecycle)).toBe(true);
    expect(transition(lifecycle, {type: 'secure'}).result).toMatchObject({
      ok: false,
      code: 'svm-already-set',
    });
    const normal = {...lifecycle, settings: {...lifecycle.settings, svm: false}};
    expect(isSecurePendingOf(normal)).toBe(false);
    expect(transition(normal, {type: 'secure'}).result).toEqual({
      ok: true,
      message: 'svm=on set; this boot will enter secure mode',
    });
  });
});
