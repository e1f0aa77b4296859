import type {Effect, Intent} from '../../src/views/dashboard-intents.js';
import {transition} from '../../src/views/dashboard-reducer.js';
import type {DashboardState} from '../../src/views/dashboard-state.js';

/** Applies intents in order; returns the last state and every effect asked for. */
export function apply(
  state: DashboardState,
  ...intents: Intent[]
): {state: DashboardState; effects: Effect[]} {
  const effects: Effect[] = [];
  let current = state;
  for (const intent of intents) {
    const step = transition(current, intent, 0);
    current = step.state;
    effects.push(...step.effects);
  }
  return {state: current, effects};
}
