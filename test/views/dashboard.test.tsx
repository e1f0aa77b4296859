import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {Dashboard} from '../../src/views/dashboard.js';
import {KEY_BINDINGS} from '../../src/views/key-bindings.js';
import {COLOR_LEGEND, createTheme} from '../../src/views/theme.js';
import {recordingCommands, worldSource} from '../helpers/views.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

const theme = createTheme(false);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Types keys one by one, as a person does (Ink reads a burst of characters as a paste). */
async function press(app: ReturnType<typeof render>, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    app.stdin.write(key);
    await new Promise((resolve) => setTimeout(resolve, key === '\u001B' ? 60 : 5));
  }
}

function setup(columns = 120, rows = 40, seconds = 12, withTheme = theme) {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(seconds * 1_000_000);
  const source = worldSource(world);
  const commands = recordingCommands(world, () => source.refresh());
  const app = render(
    <Dashboard source={source} commands={commands} theme={withTheme} size={{columns, rows}} />,
  );
  return {world, source, commands, app};
}

function selectedLine(frame: string): string {
  return frame.split('\n').find((line) => line.startsWith('>')) ?? '';
}

describe('dashboard', () => {
  it('shows the summary, every VM with its security, and the key bar', () => {
    const {app} = setup();
    const frame = app.lastFrame()!;
    expect(frame).toContain('4 hosts (3 UV)');
    for (const name of ['web-1', 'db-1', 'batch-1', 'legacy-1', 'bounce-test', 'rogue-1', 'churn-1'])
      expect(frame).toContain(name);
    expect(frame).toMatch(/batch-1 .*secure \(undeclared\)/);
    expect(frame).toMatch(/web-1 .*secure /);
    expect(frame).toContain('q quit');
    expect(frame.split('\n')).toHaveLength(40);
  });

  it('redraws only printable ASCII (the sparkline aside) and nothing past the right edge, at three sizes', async () => {
    for (const [columns, rows] of [
      [120, 40],
      [90, 30],
      [80, 24],
    ] as const) {
      const {app, world, source} = setup(columns, rows, 40);
      for (const tab of ['1', '2', '3', '4']) {
        app.stdin.write(tab);
        await tick();
        world.advanceBy(1_000_000);
        source.refresh();
        await tick();
        const lines = app
          .lastFrame()!
          .split('\n')
          .filter((line) => !line.startsWith('peak/s'));
        const other = lines.filter((line) => /[^\x20-\x7e]/.test(line));
        expect(other, `${columns}x${rows}, tab ${tab}`).toEqual([]);
        // Boxes clip only vertically (horizontal clipping re-slices every line, every frame): the
        // views cut their own text, and nothing may reach past the right edge.
        const wide = app
          .lastFrame()!
          .split('\n')
          .filter((line) => line.length > columns);
        expect(wide, `${columns}x${rows}, tab ${tab}`).toEqual([]);
      }
    }
  });

  it('colours the cells of a row inline by meaning, and not at all without colours', () => {
    const {app: coloured} = setup(120, 40, 40, createTheme(true));
    const webRow = coloured
      .lastFrame()!
      .split('\n')
      .find((line) => line.includes('web-1'))!;
    expect(webRow).toContain('\u001B[32msecure ');
    const plainRow = setup(120, 40, 40)
      .app.lastFrame()!
      .split('\n')
      .find((line) => line.includes('web-1'))!;
    expect(plainRow).not.toContain('\u001B[');
  });

  it('moves the selection with j and k', async () => {
    const {app} = setup();
    expect(selectedLine(app.lastFrame()!)).toContain('batch-1');
    app.stdin.write('j');
    await tick();
    expect(selectedLine(app.lastFrame()!)).toContain('bounce-test');
    app.stdin.write('k');
    await tick();
    expect(selectedLine(app.lastFrame()!)).toContain('batch-1');
  });

  it('opens and closes help with ?, listing every key', async () => {
    const {app} = setup();
    app.stdin.write('?');
    await tick();
    expect(app.lastFrame()).toContain('svmtop keys (Esc or ? to close)');
    for (const binding of KEY_BINDINGS) expect(app.lastFrame()).toContain(binding.action);
    await press(app, '\u001B');
    expect(app.lastFrame()).not.toContain('svmtop keys');
  });

  it('scrolls the help where the terminal is short, so every key and colour can be read at 80x24', async () => {
    const {app} = setup(80, 24, 12, createTheme(true));
    await press(app, '?');
    expect(app.lastFrame()).toMatch(/svmtop keys 1-\d+ of \d+ \(j\/k scroll/);
    const seen = new Set<string>();
    for (let step = 0; step < KEY_BINDINGS.length; step++) {
      for (const line of app.lastFrame()!.split('\n')) seen.add(line);
      app.stdin.write('j');
      await tick();
    }
    const read = [...seen].join('\n');
    for (const binding of KEY_BINDINGS) expect(read).toContain(binding.action);
    for (const entry of COLOR_LEGEND) expect(read).toContain(entry.meaning);
    expect(app.lastFrame()).toMatch(/svmtop keys \d+-(\d+) of \1 /);
    await press(app, 'x');
    expect(app.lastFrame()).toContain('in the help: j/k or PgUp/PgDn scroll, Esc closes');
    await press(app, 'g');
    expect(app.lastFrame()).toMatch(/svmtop keys 1-/);
    await press(app, '?');
    expect(app.lastFrame()).not.toContain('svmtop keys');
  });

  it('shows the devices table with refusals for the restricted guest', async () => {
    const {app} = setup();
    await press(app, 'j', 'j', 'j');
    const frame = app.lastFrame()!;
    expect(selectedLine(frame)).toContain('db-1');
    expect(frame).toMatch(/virtio2 +[│|]? ?console.*refused/);
    expect(frame).toContain('device must provide VIRTIO_F_ACCESS_PLATFORM');
  });

  it('asks before going secure, then sends the command', async () => {
    const {app, commands} = setup();
    await press(app, 'j', 'j', 'j', 'j');
    app.stdin.write('s');
    await tick();
    expect(app.lastFrame()).toContain(
      'legacy-1: kexec into its kernel with svm=on and enter secure mode? [y/N]',
    );
    app.stdin.write('y');
    await tick();
    expect(commands.sent).toEqual([{kind: 'secure', vm: 'legacy-1'}]);
    expect(app.lastFrame()).toContain('secure legacy-1: svm=on set; kexec into the secure kernel');
  });

  it('says why a balloon on a secure guest does nothing and offers to force it', async () => {
    const {app, commands} = setup();
    app.stdin.write('G');
    await tick();
    expect(selectedLine(app.lastFrame()!)).toContain('web-1');
    app.stdin.write('b');
    await tick();
    expect(app.lastFrame()).toContain(
      'web-1 is secure: the host will reclaim nothing. Inflate anyway? [y/N]',
    );
    app.stdin.write('n');
    await tick();
    expect(commands.sent).toEqual([]);
    expect(app.lastFrame()).toContain('cancelled');
  });

  it('the migration picker says which hosts refuse and why', async () => {
    const {app} = setup();
    app.stdin.write('m');
    await tick();
    const frame = app.lastFrame()!;
    expect(frame).toContain('migrate batch-1 to');
    expect(frame).toContain('PEF: Migration is not implemented');
    expect(frame).toMatch(/delta +refuses: .*has no ultravisor/);
  });

  it("the migration picker spells out the highlighted host's reasons where its row cuts them", async () => {
    const {app} = setup(80, 24);
    await press(app, 'j', 'j', 'j', 'm');
    const rows = app.lastFrame()!.split('\n');
    const gamma = rows.find((row) => row.includes('gamma    refuses'))!;
    expect(gamma).toMatch(/\+ *│$/);
    await press(app, 'j');
    const frame = app.lastFrame()!;
    expect(frame).toContain('why gamma refuses:');
    const reasons = frame
      .split('\n')
      .map((row) => row.replace(/^│ *| *│$/g, '').trim())
      .join(' ');
    expect(reasons).toContain('- gamma cannot receive secure guests');
    expect(reasons).toMatch(/- gamma has \d+ GiB/);
  });

  it('filters by text and clears with Esc', async () => {
    const {app} = setup();
    app.stdin.write('/');
    await tick();
    await press(app, 'b', 'e', 't', 'a');
    const frame = app.lastFrame()!;
    expect(frame).toContain('db-1');
    expect(frame).toContain('rogue-1');
    expect(frame).not.toContain('web-1');
    await press(app, '\u001B');
    expect(app.lastFrame()).toContain('web-1');
  });

  it('explains keys that do nothing', async () => {
    const {app} = setup();
    app.stdin.write('z');
    await tick();
    expect(app.lastFrame()).toContain('no action for "z" (? lists the keys)');
  });

  it('switches tabs with numbers and shows the swiotlb panel', async () => {
    const {app} = setup();
    app.stdin.write('2');
    await tick();
    expect(app.lastFrame()).toMatch(/used +[|.]+ +\d+%/);
    expect(app.lastFrame()).toContain('advice');
  });

  it('works at 80×24 and shows "terminal too small" below it', () => {
    const small = setup(80, 24);
    expect(small.app.lastFrame()!.split('\n')).toHaveLength(24);
    expect(small.app.lastFrame()).toContain('web-1');
    const tiny = setup(70, 20);
    expect(tiny.app.lastFrame()).toContain('terminal too small (need 80×24)');
  });
});
