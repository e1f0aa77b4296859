import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {initialDashboardState} from '../../src/views/dashboard-state.js';
import {apply} from '../helpers/reducer.js';
import {defaultConfig, startWorld} from '../helpers/world.js';
import type {RefusalCode} from '../../src/host/lifecycle/lifecycle.js';

function start() {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(3_000_000);
  return initialDashboardState(dashboardViewOf(world), {columns: 120, rows: 40});
}

const MIGRATING = {
  ok: false,
  code: 'migrating',
  reason: 'churn-1 is migrating; cancel the migration first',
} as const;

/** The host's answers name no key; the dashboard adds its own from the refusal's code. */
describe('the dashboard adds its key hints', () => {
  it('a refusal because of a migration says c cancels it, previewed or run', () => {
    const state = start();
    const previewed = apply(state, {
      type: 'previewed',
      request: {kind: 'unsecure', vm: 'churn-1'},
      preview: MIGRATING,
    });
    expect(previewed.state.status?.text).toBe(
      'unsecure churn-1 refused: churn-1 is migrating; cancel the migration first (c)',
    );
    const ran = apply(state, {type: 'ran', command: {kind: 'pause', vm: 'churn-1'}, result: MIGRATING});
    expect(ran.state.status?.text).toBe(
      'pause churn-1 refused: churn-1 is migrating; cancel the migration first (c)',
    );
  });

  it('a policy that takes effect at the next boot says r reboots', () => {
    const ran = apply(start(), {
      type: 'ran',
      command: {kind: 'policy', vm: 'legacy-1', policy: 'force-dma-api'},
      result: {ok: true, message: 'dmaPolicy force-dma-api takes effect at the next boot'},
    });
    expect(ran.state.status?.text).toBe(
      'policy legacy-1: dmaPolicy force-dma-api takes effect at the next boot (r)',
    );
  });

  it('a refusal code named like a command picks no key: codes and commands have their own hints', () => {
    const state = start();
    // No code is named like a command today; a future one (or a host answer typed loosely) must not get (r).
    const code = 'policy' as Exclude<RefusalCode, 'memory-protected'>;
    const policyCode = {ok: false, code, reason: 'churn-1 says no'} as const;
    const ran = apply(state, {type: 'ran', command: {kind: 'pause', vm: 'churn-1'}, result: policyCode});
    expect(ran.state.status?.text).toBe('pause churn-1 refused: churn-1 says no');
    const previewed = apply(state, {
      type: 'previewed',
      request: {kind: 'unsecure', vm: 'churn-1'},
      preview: policyCode,
    });
    expect(previewed.state.status?.text).toBe('unsecure churn-1 refused: churn-1 says no');
  });
});
