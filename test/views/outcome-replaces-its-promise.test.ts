import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {transition} from '../../src/views/dashboard-reducer.js';
import {initialDashboardState} from '../../src/views/dashboard-state.js';
import {apply} from '../helpers/reducer.js';
import {startWorld, defaultConfig} from '../helpers/world.js';

// README: the outcome of a command "replaces the message that promised it" (tester16 F3: `B` then `P`).
describe('an outcome replaces only the message that promised it', () => {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(12_000_000);
  const state = initialDashboardState(dashboardViewOf(world), {columns: 120, rows: 40});

  it('a newer, unrelated answer stays; the outcome is not shown over it', () => {
    world.secure('legacy-1');
    const promised = apply(state, {
      type: 'ran',
      command: {kind: 'secure', vm: 'legacy-1'},
      result: {ok: true, message: 'svm=on set'},
    }).state;
    const answered = apply(promised, {
      type: 'ran',
      command: {kind: 'policy', vm: 'rfc-1', policy: 'force-dma-api'},
      result: {ok: true, message: 'dmaPolicy force-dma-api takes effect at the next boot'},
    }).state;
    world.advanceBy(15_000_000);
    const after = transition(answered, {type: 'view', view: dashboardViewOf(world)}, 1000).state;
    expect(after.status?.text).toBe(answered.status?.text);
    expect(after.status?.text).toMatch(/^policy rfc-1: /);
    expect(after.watches).toEqual([]);
  });
});
