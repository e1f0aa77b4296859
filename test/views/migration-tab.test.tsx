import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {MiB} from '../../src/core/units.js';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {previewCommand} from '../../src/host/command-preview.js';
import {initialDashboardState, type DashboardState} from '../../src/views/dashboard-state.js';
import type {Intent} from '../../src/views/dashboard-intents.js';
import {apply} from '../helpers/reducer.js';
import {renderDashboard} from '../helpers/views.js';
import {TextLines, type Line} from '../../src/views/text-lines.js';
import {render} from 'ink-testing-library';
import {defaultConfig, startWorld} from '../helpers/world.js';

// #13 items 13 and 14: the migration tab says what QEMU has and has not measured yet, and when a
// pre-copy does not converge, why, with QEMU's ways out as keys of the tab (M, D, A) that go
// through the reducer and the host's dry run like every other command.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A panel of lines drawn on its own, `width` by `height`. */
function renderTextLines(lines: readonly Line[], width: number, height: number): string {
  const {lastFrame, unmount} = render(<TextLines lines={lines} width={width} height={height} />);
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

/** churn-1 highlighted, migrating to beta from t=20s, the migration tab open. */
async function churnMigrating(columns: number, rows: number) {
  const view = renderDashboard({columns, rows, seconds: 20});
  await view.type('gjj');
  await view.type('m');
  await view.type('\r');
  await view.type('3');
  return view;
}

/** churn-1 43 s into its migration: pass 5, not converging (its working set is rewritten every pass). */
async function churnNotConverging(columns: number, rows: number) {
  const view = await churnMigrating(columns, rows);
  for (let second = 0; second < 43; second++) await view.refresh(1, 1000);
  return view;
}

describe.each([
  [80, 24],
  [120, 40],
] as const)('the migration tab at %ix%i', (columns, rows) => {
  it('in the first pass, says which numbers QEMU has not measured yet', async () => {
    const view = await churnMigrating(columns, rows);
    await view.refresh(3, 1000);
    await expect(`${view.frame()}\n`).toMatchFileSnapshot(
      `frames/migration-first-pass-${columns}x${rows}.txt`,
    );
  });

  it('explains a pre-copy that does not converge and lists the ways out under their keys', async () => {
    const view = await churnNotConverging(columns, rows);
    await expect(`${view.frame()}\n`).toMatchFileSnapshot(
      `frames/migration-not-converging-${columns}x${rows}.txt`,
    );
  });
});

describe.each([
  [80, 24],
  [120, 40],
] as const)('the migration tab at %ix%i writes durations and page sizes one way', (columns, rows) => {
  it("milliseconds as `300 ms` (as the host's ways out do), the page size as `4 KiB pages`", async () => {
    const view = await churnNotConverging(columns, rows);
    const frame = view.frame();
    expect(frame).toContain('4 KiB pages');
    expect(frame).toContain('(limit 300 ms)');
    expect(frame).toContain('(setup 50 ms)');
    expect(frame).not.toMatch(/\d(ms|KiB pages)\b/);
  });
});

describe('a pre-copy that does not converge, at 80x24 (11 rows for the tab)', () => {
  it('fits whole: every way out under its key, nothing cut', async () => {
    const view = await churnNotConverging(80, 24);
    const frame = view.frame();
    for (const way of ['  M  max-bandwidth', '  D  downtime-limit', '  A  auto-converge'])
      expect(frame).toContain(way);
    expect(frame).not.toMatch(/more lines|cut for room/);
  });

  it('when a line more does not fit, drops the page counts first and says so', () => {
    const lines = [
      {text: 'status'},
      {
        text: 'sent 5.4GiB: 1401115 normal + 1573093 zero 4 KiB pages',
        cut: {order: 1, label: 'the sent pages'},
      },
      {text: 'rate'},
      {text: 'way out'},
    ];
    // At 40 cells the sent line takes two rows: 5 rows for 4.
    const frame = renderTextLines(lines, 40, 4);
    expect(frame).toBe('status\nrate\nway out\n(the sent pages: cut for room)');
  });
});

describe('the migration tab in setup (QA item 4)', () => {
  it('shows only the status, as query-migrate does in setup: no pass, no time, nothing "to go"', async () => {
    const view = await churnMigrating(120, 40);
    const frame = view.frame();
    expect(frame).toContain('SETUP -> beta');
    expect(frame).toContain('query-migrate reports only the status in setup');
    expect(frame).not.toMatch(/to go|pass 1|total 0 ?ms|sent 0B/);
  });
});

describe("the ways out go through the reducer and the host's dry run", () => {
  it('M sets max-bandwidth to what the host proposed, without a question (nothing to warn of)', async () => {
    const view = await churnNotConverging(120, 40);
    await view.type('M');
    expect(view.commands.sent.at(-1)).toEqual({
      kind: 'migrate-set-parameters',
      vm: 'churn-1',
      params: {maxBandwidthBytesPerSecond: BigInt(256 * MiB)},
    });
    expect(view.statusLine()).toContain('migrate-set-parameters churn-1: max-bandwidth 256MiB/s');
  });

  it('D asks first, saying the guest may stop that long; y sets it', async () => {
    const view = await churnNotConverging(120, 40);
    const proposed = view.world
      .getSnapshot()
      .vms.find((vm) => vm.name === 'churn-1')!
      .migration!.convergence!.waysOut.find((way) => way.code === 'downtime-limit')!.proposed;
    await view.type('D');
    expect(view.frame()).toContain(`churn-1: it may stop for up to ${proposed} ms while the rest moves`);
    expect(view.commands.sent.at(-1)?.kind).toBe('migrate');
    await view.type('y');
    expect(view.commands.sent.at(-1)).toEqual({
      kind: 'migrate-set-parameters',
      vm: 'churn-1',
      params: {downtimeLimitMs: proposed},
    });
  });

  it('A asks before cancelling and migrating again with auto-converge; y does it', async () => {
    const view = await churnNotConverging(120, 40);
    await view.type('A');
    expect(view.frame()).toContain('the migration to beta is cancelled and starts again with auto-converge');
    await view.type('y');
    expect(view.commands.sent.at(-1)).toEqual({
      kind: 'migrate-restart',
      vm: 'churn-1',
      params: {autoConverge: true},
    });
    await view.refresh(1, 1000);
    expect(view.world.getSnapshot().vms.find((vm) => vm.name === 'churn-1')!.migration).toMatchObject({
      status: 'active',
      parameters: {autoConverge: true},
    });
  });

  it('says where the keys work, and why a way out is closed', () => {
    const world = startWorld(defaultConfig(), 1);
    world.advanceTo(20_000_000);
    const state = initialDashboardState(dashboardViewOf(world), {columns: 120, rows: 40});
    const key = (char: string): Intent => ({type: 'key', key: {name: 'char', char}});
    const onChurn = (current: DashboardState) => apply(current, key('g'), key('j'), key('j')).state;
    const elsewhere = apply(onChurn(state), key('M'));
    expect(elsewhere.state.status?.text).toBe(
      'M, D and A change a running migration from the migration tab (3)',
    );
    expect(elsewhere.effects).toEqual([]);
    const idle = apply(onChurn(state), key('3'), key('D'));
    expect(idle.state.status?.text).toBe('downtime-limit churn-1: no migration in pre-copy to change');
    world.migrate('churn-1', 'beta', {autoConverge: true});
    world.advanceBy(30_000_000);
    const migrating = initialDashboardState(dashboardViewOf(world), {columns: 120, rows: 40});
    const already = apply(onChurn(migrating), key('3'), key('A'));
    expect(already.effects).toEqual([]);
    expect(already.state.status?.text).toMatch(/^auto-converge churn-1: auto-converge: on, vCPUs throttled/);
    const request = {
      kind: 'migrate-set-parameters',
      vm: 'churn-1',
      params: {downtimeLimitMs: 3_000_000},
    } as const;
    expect(previewCommand(world, request)).toMatchObject({ok: false, code: 'bad-parameter'});
  });
});
