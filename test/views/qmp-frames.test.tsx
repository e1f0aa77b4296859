import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';

// Exact frames of what the dashboard shows of QMP (#16 item 5): the header's count of connected
// clients, and a QMP client's commands named `[qmp#N]` in the events. The default world (seed 1)
// at 30 simulated seconds, colours off; legacy-1 paused by client qmp#1 at that instant.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  [80, 24],
  [120, 40],
] as const)('with --qmp, at %ix%i', (columns, rows) => {
  it('the events of a VM a QMP client paused, under a header counting two clients', async () => {
    const view = renderDashboard({columns, rows, seconds: 30});
    view.world.runWithOrigin('qmp#1', () => view.world.pause('legacy-1'));
    view.source.qmpClients = 2;
    view.source.refresh();
    await view.type('jjjj4');
    await expect(`${view.frame()}\n`).toMatchFileSnapshot(`frames/qmp-events-${columns}x${rows}.txt`);
  });

  it('no clients: the header says QMP 0', async () => {
    const view = renderDashboard({columns, rows, seconds: 30});
    view.source.qmpClients = 0;
    view.source.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(view.frame().split('\n')[0]).toMatch(/ QMP 0 {2}t=30\.0s 1x$/);
  });
});
