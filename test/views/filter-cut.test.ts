import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {FILTER_LENGTH_MAX, initialDashboardState} from '../../src/views/dashboard-state.js';
import {apply} from '../helpers/reducer.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// tester16 F4: the filter cut at 40 UTF-16 units, silently, and could split an emoji.
describe('the filter is cut by characters, and says so', () => {
  const world = startWorld(defaultConfig(), 1);
  const state = initialDashboardState(dashboardViewOf(world), {columns: 80, rows: 24});

  it('an emoji at the end stays whole, and the status line says the rest was not typed', () => {
    const after = apply(
      state,
      {type: 'filter-open'},
      {type: 'filter-type', text: `${'x'.repeat(39)}😀😀`},
    ).state;
    expect(after.filter).toBe(`${'x'.repeat(39)}😀`);
    expect(Array.from(after.filter)).toHaveLength(FILTER_LENGTH_MAX);
    expect(after.status?.text).toContain(`${FILTER_LENGTH_MAX} characters`);
  });

  it('backspace takes a whole emoji', () => {
    const after = apply(
      state,
      {type: 'filter-open'},
      {type: 'filter-type', text: 'é😀'},
      {type: 'filter-erase'},
    ).state;
    expect(after.filter).toBe('é');
  });
});
