import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';
import {configFromYaml} from '../helpers/world.js';

// A new user's 30-VM world at 80x24 listed 7 VMs above 8 blank rows: the list took at most 45%
// of the rows whatever the detail panel under it had to show. The list now takes what the open
// tab leaves (the most it took for the VMs selected so far, so moving the selection moves the
// list's edge only one way); the events tab, a log that fills, keeps its share.

/** 30 VMs with three devices each; `isMixed`: every third has five; `isFive`: all have five. */
function thirtyVms(isMixed = false, isFive = false): string {
  const guests = Array.from(
    {length: 30},
    (_, index) => `  - name: vm-${index + 1}
    host: ${index % 2 === 0 ? 'alpha' : 'beta'}
    vcpus: 2
    memory: 2GiB
    workload: web
    devices: [{type: net}, {type: blk}, {type: balloon}${isFive || (isMixed && index % 3 === 2) ? ', {type: rng}, {type: console}' : ''}]
`,
  ).join('');
  return `hosts:\n  - {name: alpha, memory: 512GiB}\n  - {name: beta, memory: 512GiB}\nguests:\n${guests}`;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Blank rows between the last drawn row of the body and the status line (which is empty here). */
function blankRowsAboveStatus(frame: string): number {
  const lines = frame.split('\n').slice(0, -2);
  let blank = 0;
  while (lines.at(-1 - blank)?.trim() === '') blank++;
  return blank;
}

describe.each([
  [80, 24],
  [120, 40],
] as const)('30 VMs at %ix%i', (columns, rows) => {
  it.each([
    ['devices', '1'],
    ['swiotlb', '2'],
    ['migration', '3'],
  ])('the %s tab leaves the list the rows it does not use', async (tab, keys) => {
    const view = renderDashboard({columns, rows, seconds: 10, config: configFromYaml(thirtyVms())});
    await view.type(keys);
    const frame = view.frame();
    const footer = / 1-(\d+) of 30$/m.exec(frame);
    // More VMs than the old share (7 at 80x24, 15 at 120x40): every one of them where they fit.
    expect(footer === null ? 30 : Number(footer[1]), frame).toBeGreaterThan(rows === 24 ? 7 : 15);
    // Where some do not fit, no row is left blank, but for those the boxed device table keeps
    // under it, one per device, for problems (devices-tab isAsciiTableFitting).
    const isBoxed = frame.includes('+---------+');
    if (footer !== null) expect(blankRowsAboveStatus(frame), frame).toBe(isBoxed ? 3 : 0);
    expect(isBoxed).toBe(tab === 'devices' && columns === 120);
  });

  it("moving the selection moves the list's edge only up, where a VM needs more rows, and keeps it in view", async () => {
    const view = renderDashboard({columns, rows, seconds: 10, config: configFromYaml(thirtyVms(true))});
    await view.type('1');
    const footer = () =>
      view
        .frame()
        .split('\n')
        .findIndex((line) => / of 30$/.test(line));
    const edges = [footer()];
    for (let step = 0; step < 20; step++) {
      await view.type('j');
      edges.push(footer());
    }
    expect(view.selected()).toMatch(/^>vm-21 /);
    // vm-3 has two devices more: the panel grows once and stays (no edge going back and forth).
    expect(new Set(edges).size, edges.join(' ')).toBe(2);
    expect(edges.toSorted((a, b) => b - a)).toEqual(edges);
    await view.type('gjj');
    expect(footer()).toBe(edges.at(-1));
    // The events tab takes the panel's share; the selection stays on screen.
    await view.type('G4');
    expect(footer()).toBeLessThan(edges.at(-1)!);
    expect(view.selected()).toMatch(/^>vm-30 /);
  });
});

// Wide but short, the boxed table fits the width but not the rows the panel can get: the tab
// draws the compact one, and the list stopped at its old share above blank rows (1-10 of 30 and
// 8 blank rows at 120x30), as the panel was counted with the boxed table.
describe.each([
  [120, 30, 10],
  [120, 24, 8],
] as const)('30 VMs with five devices at %ix%i', (columns, rows, oldShare) => {
  it('the list takes the rows the compact device table leaves', async () => {
    const view = renderDashboard({
      columns,
      rows,
      seconds: 10,
      config: configFromYaml(thirtyVms(false, true)),
    });
    await view.type('1');
    const frame = view.frame();
    expect(frame).not.toContain('+---------+');
    expect(Number(/ 1-(\d+) of 30$/m.exec(frame)?.[1]), frame).toBeGreaterThan(oldShare);
    expect(blankRowsAboveStatus(frame), frame).toBe(0);
  });
});

describe('30 VMs, exact frames', () => {
  it.each([
    [80, 24, '1'],
    [80, 24, '2'],
    [120, 40, '1'],
  ] as const)('at %ix%i on tab %s', async (columns, rows, keys) => {
    const view = renderDashboard({columns, rows, seconds: 10, config: configFromYaml(thirtyVms())});
    await view.type(keys);
    await expect(`${view.frame()}\n`).toMatchFileSnapshot(
      `frames/thirty-vms-tab${keys}-${columns}x${rows}.txt`,
    );
  });
});
