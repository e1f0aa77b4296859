import {describe, expect, test} from 'vitest';
import {WorldRunner} from '../../src/app/world-runner.js';
import {ManualClock} from '../helpers/manual-clock.js';
import {returned, settle, useQmpFixture} from './fixture.js';

/** The runner's clock, moved by hand; sockets flow after every timer. */
function fakeClock() {
  const clock = new ManualClock();
  const runFor = async (durationMs: number) => {
    const endMs = clock.nowMs + durationMs;
    for (let due = clock.takeDue(endMs); due; due = clock.takeDue(endMs)) {
      due.callback();
      await settle();
    }
    clock.nowMs = endMs;
  };
  return {clock, runFor};
}

const fixture = useQmpFixture();

describe('the dashboard with --qmp', () => {
  test.each([
    ['paced every 20 ms, is told within that much wall time', 20, true],
    ['not paced, is told only at the next refresh (2 s)', undefined, false],
  ] as const)('a migration that turns active 50 ms after setup, %s', async (_what, paceMs, isToldEarly) => {
    const loop = fakeClock();
    const runner = new WorldRunner(fixture.world, {
      speed: 1,
      clock: loop.clock,
      ...(paceMs !== undefined && {paceMs}),
    });
    const client = await fixture.connect('churn-1');
    await client.execute('migrate-set-capabilities', {capabilities: [{capability: 'events', state: true}]});
    runner.start(2000);
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({});
    const startUs = fixture.world.nowUs;
    await loop.runFor(100);
    const statuses = client.events
      .filter((event) => event.json.event === 'MIGRATION')
      .map((event) => (event.json.data as {status: string}).status);
    expect(statuses).toEqual(isToldEarly ? ['setup', 'active'] : ['setup']);
    expect(fixture.world.nowUs - startUs).toBe(isToldEarly ? 100_000 : 0);
    runner.stop();
  });
});
