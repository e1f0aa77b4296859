import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {cutsIn} from '../helpers/screen-truth.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';
import {renderDashboard} from '../helpers/views.js';

// The default world tells the truth at 80×24 and 120×40: no frame cuts a word with `+` (or Ink's
// `…`; see cutsIn for the exact rule). Every VM, every tab, the help page by page, the migration
// picker host by host and a confirmation, while guests boot, once they run, and during migrations.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const VM_COUNT = 9;
const HOST_COUNT = 5;

type View = ReturnType<typeof renderDashboard>;

/** Every frame reachable from the list in a few keys, with where each was seen. */
async function everyScreen(view: View, seen: Map<string, string>): Promise<void> {
  const look = (where: string) => seen.set(where, view.frame());
  await view.type('g');
  for (let index = 0; index < VM_COUNT; index++) {
    if (index > 0) await view.type('j');
    for (const tab of ['1', '2', '3', '4']) {
      await view.type(tab);
      look(`vm ${index}, tab ${tab}`);
    }
    await view.type('m');
    for (let host = 0; host < HOST_COUNT; host++) {
      look(`vm ${index}, picker host ${host}`);
      await view.type('\u001B[B');
    }
    await view.type('\u001B');
  }
  await view.type('?');
  for (let page = 0; page < 40; page++) {
    look(`help line ${page}`);
    await view.type('j');
  }
  await view.type('\u001B');
  await view.type('gs');
  look('confirm');
  await view.type('n');
}

describe.each([
  [80, 24],
  [120, 40],
] as const)('at %ix%i', (columns, rows) => {
  it.each([5, 30])('no frame cuts a word at %is', async (seconds) => {
    const view = renderDashboard({columns, rows, seconds});
    const seen = new Map<string, string>();
    await everyScreen(view, seen);
    const cuts = [...seen].flatMap(([where, frame]) => cutsIn(frame).map((cut) => `${where}: ${cut}`));
    expect(cuts).toEqual([]);
  });

  it('no frame cuts a word while a secure and a normal guest migrate', CPU_BOUND, async () => {
    const view = renderDashboard({columns, rows, seconds: 30});
    expect(view.world.migrate('web-1', 'beta').ok).toBe(true);
    expect(view.world.migrate('churn-1', 'beta').ok).toBe(true);
    const seen = new Map<string, string>();
    for (const seconds of [3, 60]) {
      await view.refresh(seconds, 1000);
      await everyScreen(view, seen);
      const cuts = [...seen].flatMap(([where, frame]) => cutsIn(frame).map((cut) => `${where}: ${cut}`));
      expect(cuts, `after ${seconds}s more`).toEqual([]);
    }
  });
});
