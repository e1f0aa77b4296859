import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {exhaustSwiotlb} from '../../src/host/faults.js';
import {F10_MARK, F1_MARK, mouseMark} from '../../src/views/key-input.js';
import {HELP_LINES, KEY_BINDINGS} from '../../src/views/key-bindings.js';
import {COLOR_LEGEND, createTheme} from '../../src/views/theme.js';
import {renderDashboard} from '../helpers/views.js';
import {defaultConfig} from '../helpers/world.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const rowOf = (frame: string, vm: string) =>
  frame.split('\n').find((line) => line.slice(1).startsWith(`${vm} `)) ?? '';
/** The frame as running text: box borders gone, wrapped lines joined. */
const prose = (frame: string) =>
  frame
    .split('\n')
    .map((line) => line.replace(/^[│|] ?| ?[│|]$/g, '').trim())
    .join(' ');

describe('keys that arrive together (item 1, 2)', () => {
  it('"jp" in one burst moves to rfc-1 and pauses rfc-1, not legacy-1', async () => {
    const view = renderDashboard();
    await view.type('gjjjj');
    expect(view.selected()).toContain('legacy-1');
    await view.type('jp');
    expect(view.selected()).toContain('rfc-1');
    expect(view.commands.sent).toEqual([{kind: 'pause', vm: 'rfc-1'}]);
    expect(view.statusLine()).toContain('pause rfc-1: ok');
  });

  it('"g" then "js" asks about bounce-test, the VM highlighted', async () => {
    const view = renderDashboard();
    await view.type('G');
    await view.type('g');
    await view.type('js');
    expect(view.selected()).toContain('bounce-test');
    expect(prose(view.frame())).toMatch(/bounce-test: .*Go secure\?/);
    expect(view.frame()).not.toMatch(/batch-1: .*Go secure/);
  });

  it('"bbb" inflates three steps, "BBB" deflates three', async () => {
    const view = renderDashboard();
    await view.type('gjj');
    await view.type('bbb');
    expect(
      view.commands.sent.map((command) => command.kind === 'balloon' && command.targetBytes / 2 ** 20),
    ).toEqual([256, 512, 768]);
    await view.type('BBB');
    expect(
      view.commands.sent
        .slice(3)
        .map((command) => command.kind === 'balloon' && command.targetBytes / 2 ** 20),
    ).toEqual([512, 256, 0]);
  });
});

describe('typing in one burst (item 3)', () => {
  it('"/alpha\\r" filters by alpha and says so', async () => {
    const view = renderDashboard();
    await view.type('/alpha\r');
    expect(view.frame()).not.toContain('db-1 ');
    expect(view.frame()).toContain('churn-1');
    expect(view.frame()).toContain('filter "alpha": 2 of 9 VMs shown');
    expect(view.frame()).toContain('9 VMs (2 shown)');
    expect(view.frame()).not.toContain('no action');
  });

  it('"xy\\r" typed inside the filter is kept', async () => {
    const view = renderDashboard();
    await view.type('/');
    await view.type('xy\r');
    expect(view.frame()).toContain('no VM matches');
    expect(view.frame()).toContain('filter "xy": 0 of 9');
  });

  it('"Esc q" together closes the help and quits', async () => {
    const view = renderDashboard();
    await view.type('?');
    expect(view.frame()).toContain('svmtop keys');
    await view.type('\u001Bq');
    expect(view.frame()).not.toContain('svmtop keys');
    expect(view.commands.quits).toBe(1);
  });
});

describe('what the screen says', () => {
  it('flags broken devices and map failures, with a legend that names them (item 6)', async () => {
    const view = renderDashboard({seconds: 40, theme: createTheme(true)});
    await view.type('gjjjj');
    await view.type('s');
    await view.type('y');
    await view.refresh(15);
    await view.type('j');
    expect(rowOf(view.frame(), 'legacy-1')).toContain('\u001B[31m3 broken');
    view.world.runOnGuest('web-1', 'fault swiotlb-exhaustion', exhaustSwiotlb);
    await view.refresh(3);
    const web = rowOf(view.frame(), 'web-1');
    expect(web).toContain('\u001B[31m');
    expect(web).toMatch(/[|.]+ +\d+%!/);
    const legend = COLOR_LEGEND.map((entry) => entry.meaning).join('\n');
    expect(legend).toContain('devices broken');
    expect(legend).toContain('map failures (!)');
    expect(legend).toContain('balloon n/a');
  });

  it('ages the status line out, and an outcome replaces the promise it follows (item 7)', async () => {
    const view = renderDashboard();
    await view.type('gjjjj');
    await view.type('sy');
    expect(view.statusLine()).toContain('secure legacy-1: svm=on set; kexec');
    await view.refresh(15, 1000);
    expect(view.statusLine()).toMatch(/legacy-1 is secure; 3 devices broken/);
    await view.refresh(1, 7000);
    expect(view.statusLine().trim()).toBe('');
    await view.type('z');
    expect(view.statusLine()).toContain('no action for "z"');
    await view.type('j');
    expect(view.statusLine().trim()).toBe('');
  });

  it('asks only what can succeed, and says what will happen (item 8)', async () => {
    const view = renderDashboard();
    await view.type('gj');
    await view.type('s');
    expect(prose(view.frame())).toMatch(
      /bounce-test: .*delta has no ultravisor: H_SVM_INIT_START will return H_UNSUPPORTED and bounce-test will halt\. Go secure\?/,
    );
    await view.type('n');
    await view.type('jjj');
    await view.type('s');
    expect(prose(view.frame())).toContain(
      '4 devices will fault when used (net, blk, console, balloon: no ACCESS_PLATFORM, raw addresses under ACCESS_PLATFORM-gated (every pseries kernel, mainline too))',
    );
    await view.type('n');
    await view.type('m');
    await view.type('\r');
    expect(view.statusLine()).toContain('migrate legacy-1: ok');
    await view.type('s');
    expect(view.frame()).not.toContain('Go secure?');
    expect(view.statusLine()).toContain('secure legacy-1 refused: legacy-1 is migrating');
    await view.type('m');
    expect(view.frame()).not.toContain('migrate legacy-1 to');
    expect(view.statusLine()).toContain('legacy-1 is already migrating');
  });

  it("shows the DMA policy in effect and marks the next boot's as pending (item 9)", async () => {
    const view = renderDashboard();
    await view.type('gjjjj');
    await view.type('P');
    expect(rowOf(view.frame(), 'legacy-1')).toContain('gated>rfc');
    expect(view.frame()).toContain('dmaPolicy access-platform-gated (next boot: force-dma-api)');
  });

  it('keeps the neighbour when the highlighted guest is removed (item 16)', async () => {
    const view = renderDashboard();
    await view.type('gjjjj');
    const config = defaultConfig();
    view.world.applyConfig({...config, guests: config.guests.filter((guest) => guest.name !== 'legacy-1')});
    await view.refresh(0, 0);
    expect(view.selected()).toContain('rfc-1');
  });

  it('shows a failed reload on its own line, and command answers still on the status line (item 15)', async () => {
    const view = renderDashboard();
    view.source.banner = 'w.yaml: guests[0].memory: expected a size like "4GiB"';
    await view.refresh(0, 0);
    await view.type('c');
    const lines = view.frame().split('\n');
    expect(lines.at(-3)).toContain('config not applied: w.yaml: guests[0].memory');
    expect(lines.at(-2)).toContain('migrate-cancel batch-1 refused: batch-1 is not migrating');
  });
});

describe('htop habits (item 17)', () => {
  it('F1 opens the help, F10 quits, Ctrl-Z suspends', async () => {
    const view = renderDashboard();
    await view.type(F1_MARK);
    expect(view.frame()).toContain('svmtop keys');
    await view.type(F1_MARK);
    expect(view.frame()).not.toContain('svmtop keys');
    await view.type('\u001A');
    expect(view.commands.suspends).toBe(1);
    await view.type(F10_MARK);
    expect(view.commands.quits).toBe(1);
  });

  it('a click selects a row or a tab; the wheel moves the selection', async () => {
    const view = renderDashboard();
    // Row 0 is the summary, row 1 the list header: row 5 is the fourth VM.
    await view.type(mouseMark(0, 3, 5, false));
    expect(view.selected()).toContain('db-1');
    const tabRow = view
      .frame()
      .split('\n')
      .findIndex((line) => line.includes('1 devices'));
    await view.type(mouseMark(0, 26, tabRow, false));
    expect(view.frame()).toContain('[3 migration]');
    await view.type(mouseMark(65, 3, 4, false));
    expect(view.selected()).toContain('legacy-1');
  });

  it('the help lists every key and every colour, and scrolls where the terminal is short', async () => {
    const view = renderDashboard({columns: 80, rows: 24, theme: createTheme(true)});
    await view.type('?');
    expect(view.frame()).toMatch(/svmtop keys 1-\d+ of \d+ \(j\/k scroll/);
    const seen = new Set<string>();
    for (let step = 0; step < HELP_LINES.length; step++) {
      for (const line of view.frame().split('\n')) seen.add(line);
      await view.type('j');
    }
    const read = [...seen].join('\n');
    for (const binding of KEY_BINDINGS) expect(read).toContain(binding.action);
    for (const entry of COLOR_LEGEND) expect(read).toContain(entry.meaning);
    await view.type('x');
    expect(view.statusLine()).toContain('in the help: j/k or PgUp/PgDn scroll; Esc, q or ? closes');
    expect(HELP_LINES.filter((line) => line.text.length > 76 - (line.swatch ? 3 : 0))).toEqual([]);
  });
});

describe('the screen at every width', () => {
  it('redraws only printable ASCII (the sparkline aside) and nothing past the right edge, at three sizes', async () => {
    for (const [columns, rows] of [
      [200, 50],
      [120, 40],
      [80, 24],
    ] as const) {
      const view = renderDashboard({columns, rows, seconds: 40});
      for (const tab of ['1', '2', '3', '4']) {
        await view.type(tab);
        await view.refresh();
        const lines = view.frame().split('\n');
        const other = lines.filter((line) => !line.startsWith('peak/s') && /[^\x20-\x7e]/.test(line));
        expect(other, `${columns}x${rows}, tab ${tab}`).toEqual([]);
        expect(
          lines.filter((line) => line.length > columns),
          `${columns}x${rows}, tab ${tab}`,
        ).toEqual([]);
      }
    }
  });

  it('gives a long libvirt name its room where there is some, and marks hidden columns (item 10)', () => {
    const config = defaultConfig();
    // Sorts among the first rows, so it is on screen at 24 rows (the default world has 9 VMs).
    const longName = 'c-added-later-by-libvirt-01';
    const renamed = {
      ...config,
      guests: config.guests.map((guest) => (guest.name === 'churn-1' ? {...guest, name: longName} : guest)),
    };
    const wide = renderDashboard({columns: 200, rows: 50, config: renamed});
    expect(rowOf(wide.frame(), longName)).toContain(`${longName} alpha`);
    expect(wide.frame().split('\n')[1]).toMatch(/BALLOON +MIGRATION +VCPU +MEMORY +WORKLOAD/);
    const narrow = renderDashboard({columns: 80, rows: 24, config: renamed});
    expect(narrow.frame().split('\n')[1]).toMatch(/\+\d+( more)?/);
    expect(narrow.frame()).toMatch(/ c-added-\S*\+ /);
  });

  it('never cuts the sort marker, and events are whole (item 11)', async () => {
    const view = renderDashboard({columns: 80, rows: 24, seconds: 40});
    await view.type('>>>>>>');
    expect(view.frame().split('\n')[1]).toMatch(/BOUNCE\^/);
    await view.type('4');
    // Back at least one step (so newer events lie below), and on until UV_ESM shows.
    await view.type('[');
    for (let step = 0; step < 12 && !view.frame().includes('UV_ESM'); step++) await view.type('[');
    expect(view.frame()).toMatch(/newer events? below/);
    expect(view.frame().replace(/\n +/g, ' ')).toMatch(
      /UV_ESM: ticket for image sha256:[0-9a-f]+ signed by "owner-demo" verified/,
    );
  });

  it('formats each quantity one way: sizes, rates and times (item 12)', async () => {
    const view = renderDashboard({seconds: 12});
    const frame = view.frame();
    expect(frame).toContain('t=12.0s');
    expect(frame).not.toMatch(/\d{4}KiB/);
    await view.type('4');
    expect(view.frame()).toMatch(/^ +\d+\.\ds batch-1 /m);
  });

  it('explains a migration that has not measured yet and one that does not converge (item 13, 14)', async () => {
    const view = renderDashboard({seconds: 20});
    await view.type('gjj');
    await view.type('m');
    await view.type('\r');
    await view.type('3');
    expect(view.frame()).toContain('SETUP -> beta');
    await view.refresh(1, 1000);
    expect(view.frame()).toContain('dirty rate: known after the first pass');
    expect(view.frame()).toContain('expected downtime 300 ms: the limit, until QEMU has a dirty rate');
    for (let second = 0; second < 40; second++) await view.refresh(1, 1000);
    expect(view.frame()).toContain('NOT CONVERGING: the guest rewrites its whole 1.0GiB working set');
    expect(view.frame()).toContain('auto-converge');
  });
});
