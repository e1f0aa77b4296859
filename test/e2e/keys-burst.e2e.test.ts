import {describe, expect, it} from 'vitest';
import {startSvmtop, type PtySession} from '../helpers/pty.js';

// Each burst below is written to the terminal in one write, as a fast typist, a key repeat or a
// paste delivers it: Ink 8 hands a run of plain characters to useInput as one string ("jp",
// "/alpha\r") and an escape sequence inside a run as separate, synchronous calls.

const selected = (screen: string) => screen.split('\n').find((line) => line.startsWith('>')) ?? '';
const rowOf = (screen: string, vm: string) =>
  screen.split('\n').find((line) => line.slice(1).startsWith(`${vm} `)) ?? '';

async function started(args: string[] = []): Promise<PtySession> {
  const session = startSvmtop(args);
  await session.waitFor(
    (screen) => /legacy-1 +epsilon +running/.test(screen) && /churn-1 +alpha +running/.test(screen),
    'legacy-1 and churn-1 running',
  );
  return session;
}

async function quit(session: PtySession): Promise<void> {
  session.press('q');
  expect((await session.exited).exitCode).toBe(0);
}

describe('keys that arrive together act on what is highlighted when each one is read', () => {
  it('"jp" moves to rfc-1 and pauses rfc-1, not legacy-1', async () => {
    const session = await started();
    session.press('gjjjj');
    await session.waitFor((s) => selected(s).includes('legacy-1'), 'legacy-1 selected');
    session.press('jp');
    const screen = await session.waitFor((s) => /rfc-1 +epsilon +paused/.test(s), 'rfc-1 paused');
    expect(selected(screen)).toContain('rfc-1');
    expect(rowOf(screen, 'legacy-1')).toMatch(/running/);
    await quit(session);
  });

  it('"g" then "js" asks about bounce-test, the VM highlighted', async () => {
    const session = await started();
    session.press('G');
    await session.waitFor((s) => selected(s).includes('web-1'), 'web-1 selected');
    session.press('g');
    await session.waitFor((s) => selected(s).includes('batch-1'), 'batch-1 selected');
    session.press('js');
    const screen = await session.waitFor((s) => s.includes('Go secure?'), 'the question');
    expect(screen).toContain('bounce-test');
    expect(screen).not.toMatch(/batch-1: .*Go secure/);
    session.press('n');
    await quit(session);
  });

  it('"bbb" inflates three steps and "BBB" deflates three', async () => {
    const session = await started();
    session.press('gjj');
    await session.waitFor((s) => selected(s).includes('churn-1'), 'churn-1 selected');
    session.press('bbb');
    await session.waitFor((s) => s.includes('balloon churn-1: target 768MiB'), 'target 768MiB');
    session.press('BBB');
    await session.waitFor((s) => s.includes('balloon churn-1: target 0B'), 'target 0B');
    session.press('4');
    const events = await session.waitFor((s) => s.includes('[4 events]'), 'the events tab');
    expect(events).toContain('target 512MiB');
    expect(events).toContain('target 256MiB');
    await quit(session);
  });
});

describe('typing in one burst is read key by key', () => {
  it('"/alpha\\r" filters by alpha', async () => {
    const session = await started();
    session.press('/alpha\r');
    const screen = await session.waitFor((s) => !s.includes('db-1'), 'the filter applied');
    expect(screen).toContain('churn-1');
    expect(screen).toContain('web-1');
    expect(screen).not.toContain('no action');
    expect(screen).toContain('alpha');
    await quit(session);
  });

  it('"xy\\r" inside the filter is typed, then accepted', async () => {
    const session = await started();
    session.press('/');
    await session.waitFor((s) => s.includes('filter:'), 'the filter line');
    session.press('xy\r');
    await session.waitFor((s) => s.includes('no VM matches'), 'nothing matches xy');
    expect(session.screen()).toContain('xy');
    await quit(session);
  });

  it('"Esc q" together closes the help and quits', async () => {
    const session = await started();
    session.press('?');
    await session.waitFor((s) => s.includes('svmtop keys'), 'the help');
    session.press('\u001Bq');
    const {exitCode} = await session.exited;
    expect(exitCode).toBe(0);
  });
});

const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
const MOUSE_OFF = '\u001B[?1006l\u001B[?1000l';

function restoredAtEnd(raw: string): boolean {
  const entered = raw.lastIndexOf('\u001B[?1049h');
  return (
    raw.lastIndexOf(LEAVE_ALTERNATE_SCREEN) > entered &&
    raw.lastIndexOf(SHOW_CURSOR) > entered &&
    raw.lastIndexOf(MOUSE_OFF) > raw.lastIndexOf('\u001B[?1000h')
  );
}

describe('input never starves (item 4)', () => {
  it('--speed 1000 keeps the screen moving, says how fast it really runs, and quits on q within a second', async () => {
    const session = startSvmtop(['--speed', '1000']);
    await session.waitFor((s) => /t=\d+m/.test(s), 'minutes of simulated time');
    await session.waitFor((s) => s.includes('of 1000x asked'), 'the speed achieved');
    const pressedAt = Date.now();
    session.press('q');
    const {exitCode} = await session.exited;
    expect(Date.now() - pressedAt).toBeLessThan(1000);
    expect(exitCode).toBe(0);
    expect(restoredAtEnd(session.raw())).toBe(true);
  });

  it('--speed 1000 ends on SIGTERM within a second, the terminal restored', async () => {
    const session = startSvmtop(['--speed', '1000']);
    await session.waitFor((s) => /t=\d+m/.test(s), 'minutes of simulated time');
    const signalledAt = Date.now();
    session.kill('SIGTERM');
    await session.exited;
    expect(Date.now() - signalledAt).toBeLessThan(1000);
    expect(restoredAtEnd(session.raw())).toBe(true);
  });
});

describe('htop habits (item 17)', () => {
  it('F1 opens the help, a click selects a row and a tab, F10 quits', async () => {
    const session = await started();
    session.press('\u001BOP');
    await session.waitFor((s) => s.includes('svmtop keys'), 'the help');
    session.press('\u001B');
    await session.waitFor((s) => !s.includes('svmtop keys'), 'the help closed');
    // Rows and columns are 1-based in SGR reports: row 6 is the fourth VM (db-1).
    session.press('\u001B[<0;4;6M\u001B[<0;4;6m');
    await session.waitFor((s) => selected(s).includes('db-1'), 'db-1 clicked');
    const tabRow = session.lines().findIndex((line) => line.includes('1 devices')) + 1;
    session.press(`\u001B[<0;27;${tabRow}M`);
    await session.waitFor((s) => s.includes('[3 migration]'), 'the migration tab clicked');
    session.press('\u001B[21~');
    expect((await session.exited).exitCode).toBe(0);
    expect(session.raw()).toContain('\u001B[?1000h\u001B[?1006h');
    expect(restoredAtEnd(session.raw())).toBe(true);
  });

  it('Ctrl-Z hands the terminal to the shell, and fg brings the dashboard back redrawn', async () => {
    const session = startSvmtop([], {command: {file: '/bin/bash', args: ['--norc', '--noprofile', '-i']}});
    // Under a wrapper, as npm start's `sh -c` runs it (`; echo` keeps dash from exec'ing node): bash
    // reports the job stopped only when the wrapper, its process group leader, stopped too.
    const svmtop = `${JSON.stringify(process.execPath)} dist/cli.js`;
    session.press(`PS1='$ ' ; sh -c '${svmtop}; echo wrapper-done-$((6*7))'\r`);
    await session.waitFor((s) => /legacy-1 +epsilon +running/.test(s), 'the dashboard from the shell');
    session.press('\u001A');
    await session.waitFor((s) => /Stopped/.test(s), 'the shell says the job stopped');
    expect(session.raw().lastIndexOf(LEAVE_ALTERNATE_SCREEN)).toBeGreaterThan(
      session.raw().lastIndexOf('\u001B[?1049h'),
    );
    session.press('fg\r');
    await session.waitFor(
      (s) => /legacy-1 +epsilon +running/.test(s) && s.includes('q quit'),
      'the dashboard again',
    );
    session.press('j');
    await session.waitFor((s) => selected(s).includes('bounce-test'), 'keys work after fg');
    session.press('q');
    await session.waitFor((s) => s.includes('wrapper-done-42'), 'the wrapper goes on after svmtop quits');
    session.press('exit\r');
    await session.exited;
  });
});
