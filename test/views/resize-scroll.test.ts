import {describe, expect, it, vi} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {transition} from '../../src/views/dashboard-reducer.js';
import {initialDashboardState} from '../../src/views/dashboard-state.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

const calls = vi.hoisted(() => ({scroll: 0}));

vi.mock('../../src/views/selection.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/views/selection.js')>();
  return {
    ...original,
    scrollToSelection: (...args: Parameters<typeof original.scrollToSelection>) => {
      calls.scroll++;
      return original.scrollToSelection(...args);
    },
  };
});

describe('a resize lays the list out once', () => {
  it('scrollToSelection runs once per resize (the resize case and the reducer after it each ran it)', () => {
    const world = startWorld(defaultConfig(), 1);
    world.advanceTo(2_000_000);
    const state = initialDashboardState(dashboardViewOf(world), {columns: 120, rows: 40});
    calls.scroll = 0;
    const step = transition(state, {type: 'resize', columns: 80, rows: 24}, 0);
    expect(calls.scroll).toBe(1);
    expect(step.state.size).toEqual({columns: 80, rows: 24});
  });
});
