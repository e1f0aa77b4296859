import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';
import {startSvmtop} from '../helpers/pty.js';

const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
/** An SGR sequence that sets a foreground colour (30–37, 90–97, 38;…). */
// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const COLOUR = /\u001B\[(?:[\d;]*;)?(?:3[0-7]|9[0-7]|38;[\d;]+)m/;

function restoredAfterLastEntry(raw: string): boolean {
  const entered = raw.lastIndexOf('\u001B[?1049h');
  return raw.lastIndexOf(LEAVE_ALTERNATE_SCREEN) > entered && raw.lastIndexOf(SHOW_CURSOR) > entered;
}

describe('the terminal', () => {
  it('shows "terminal too small" below 80×24 and recovers on resize without ghost lines', async () => {
    const session = startSvmtop([], {columns: 100, rows: 30});
    await session.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
    session.resize(70, 20);
    await session.waitFor(
      (screen) => screen.includes('terminal too small (need 80×24)'),
      'the too-small screen',
    );
    session.resize(100, 30);
    const screen = await session.waitFor(
      (text) => text.includes('web-1') && text.includes('q quit'),
      'the dashboard again',
    );
    expect(screen).not.toContain('terminal too small');
    expect(session.lines().filter((line) => line.includes('svmtop  5 hosts'))).toHaveLength(1);
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('a C locale draws ASCII: the too-small screen says 80x24', async () => {
    const session = startSvmtop([], {columns: 70, rows: 20, env: {LANG: 'C'}});
    const screen = await session.waitFor(
      (text) => text.includes('terminal too small (need 80x24)'),
      'the ASCII too-small screen',
    );
    expect(screen).toContain('now 70x20');
    expect(screen).not.toContain('\u00d7');
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('NO_COLOR leaves out every colour escape', async () => {
    const session = startSvmtop([], {env: {NO_COLOR: '1'}});
    await session.waitFor((screen) => screen.includes('secure (undeclared)'), 'a secure guest');
    session.press('q');
    await session.exited;
    expect(session.raw()).not.toMatch(COLOUR);
  });

  it('--no-color does the same, and colours are there without it', async () => {
    const colored = startSvmtop();
    await colored.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
    colored.press('q');
    await colored.exited;
    expect(colored.raw()).toMatch(COLOUR);
    const plain = startSvmtop(['--no-color']);
    await plain.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
    plain.press('q');
    await plain.exited;
    expect(plain.raw()).not.toMatch(COLOUR);
  });

  it('is restored on SIGTERM', async () => {
    const session = startSvmtop();
    await session.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
    session.kill('SIGTERM');
    const {exitCode} = await session.exited;
    expect(exitCode).toBe(0);
    expect(restoredAfterLastEntry(session.raw())).toBe(true);
  });

  it('is restored after a crash, which is logged to a file whose path is printed', async () => {
    const session = startSvmtop([], {env: {SVMTOP_TEST_CRASH_AFTER_MS: '1500'}});
    const {exitCode} = await session.exited;
    expect(exitCode).toBe(70);
    const match = /details in (\S+svmtop-crash-\d+\.log)/.exec(session.raw());
    expect(match).not.toBeNull();
    expect(readFileSync(match![1]!, 'utf8')).toContain('test crash requested');
    rmSync(match![1]!);
    expect(restoredAfterLastEntry(session.raw())).toBe(true);
  });
});

describe('live config', () => {
  it('applies a valid edit live, shows an invalid one in a banner, and keeps the last good world', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmtop-live-'));
    const file = join(dir, 'world.yaml');
    copyFileSync(DEFAULT_WORLD_FILE, file);
    const session = startSvmtop(['--config', file]);
    await session.waitFor((screen) => screen.includes('churn-1'), 'the dashboard');
    const original = readFileSync(file, 'utf8');
    const added = original.replace(
      '  - name: churn-1',
      '  - name: extra-1\n    host: delta\n    memory: 1GiB\n    devices: [{type: net}]\n\n  - name: churn-1',
    );
    // An atomic save, as editors do it: write a temporary file and rename it over.
    writeFileSync(`${file}.tmp`, added);
    (await import('node:fs')).renameSync(`${file}.tmp`, file);
    await session.waitFor((screen) => screen.includes('extra-1'), 'the added guest');
    writeFileSync(file, added.replace('memory: 1GiB\n    devices', 'memory: lots\n    devices'));
    await session.waitFor(
      (screen) => screen.includes('config not applied') && screen.includes('expected a size like'),
      'the error banner',
    );
    expect(session.screen()).toContain('extra-1');
    writeFileSync(file, original);
    await session.waitFor(
      (screen) => !screen.includes('extra-1') && !screen.includes('config not applied'),
      'the guest removed, banner gone',
    );
    session.press('4');
    await session.waitFor(
      (screen) => screen.includes('config reloaded: guest extra-1 removed'),
      'the reload in the events',
    );
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });
});

describe('preferences', () => {
  it('remember the tab and the selected VM across runs, and a corrupt file is replaced with a notice', async () => {
    const first = startSvmtop();
    await first.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
    first.press('G');
    first.press('2');
    await first.waitFor(
      (screen) =>
        screen.includes('[2 swiotlb]') &&
        (screen.split('\n').find((line) => line.startsWith('>')) ?? '').includes('web-1'),
      'web-1 and swiotlb',
    );
    first.press('q');
    await first.exited;
    const second = startSvmtop([], {configHome: first.configHome});
    await second.waitFor(
      (screen) =>
        screen.includes('[2 swiotlb]') &&
        (screen.split('\n').find((line) => line.startsWith('>')) ?? '').includes('web-1'),
      'the same tab and VM',
    );
    second.press('q');
    await second.exited;
    writeFileSync(join(first.configHome, 'svmtop-nodejs', 'config.json'), '{ not json');
    const third = startSvmtop([], {configHome: first.configHome});
    await third.waitFor(
      (screen) => screen.includes('was unreadable') && screen.includes('[1 devices]'),
      'the notice and defaults',
    );
    third.press('q');
    expect((await third.exited).exitCode).toBe(0);
  });
});
