import {describe, expect, it} from 'vitest';
import {startSvmtop, type PtySession} from '../helpers/pty.js';

const selected = (screen: string) => screen.split('\n').find((line) => line.startsWith('>')) ?? '';
const statusLine = (session: PtySession) => session.lines().at(-2) ?? '';

async function pressAndSee(
  session: PtySession,
  keys: string,
  check: (screen: string) => boolean,
  what: string,
): Promise<string> {
  session.press(keys);
  return session.waitFor(check, what, 8000);
}

describe('every key in the help overlay does something visible or says why not', () => {
  it('navigation, tabs, overlays, sorting and filtering', async () => {
    const session = startSvmtop();
    await session.waitFor(
      (screen) => screen.includes('churn-1') && screen.includes('running'),
      'the dashboard',
    );
    await pressAndSee(session, 'j', (s) => selected(s).includes('bounce-test'), 'j moves down');
    await pressAndSee(session, 'k', (s) => selected(s).includes('batch-1'), 'k moves up');
    await pressAndSee(session, '\u001B[B', (s) => selected(s).includes('bounce-test'), 'down arrow');
    await pressAndSee(session, '\u001B[A', (s) => selected(s).includes('batch-1'), 'up arrow');
    await pressAndSee(session, 'G', (s) => selected(s).includes('web-1'), 'G goes last');
    await pressAndSee(session, 'g', (s) => selected(s).includes('batch-1'), 'g goes first');
    await pressAndSee(session, '\u001B[6~', (s) => !selected(s).includes('batch-1'), 'PgDn');
    await pressAndSee(session, '\u001B[5~', (s) => selected(s).includes('batch-1'), 'PgUp');
    await pressAndSee(session, '2', (s) => s.includes('[2 swiotlb]'), '2 opens swiotlb');
    await pressAndSee(session, '\t', (s) => s.includes('[3 migration]'), 'Tab moves on');
    await pressAndSee(session, '\u001B[Z', (s) => s.includes('[2 swiotlb]'), 'Shift-Tab moves back');
    await pressAndSee(session, '\r', (s) => s.includes('[3 migration]'), 'Enter moves on');
    await pressAndSee(session, '4', (s) => s.includes('[4 events]'), '4 opens events');
    await pressAndSee(session, '1', (s) => s.includes('[1 devices]'), '1 opens devices');
    await pressAndSee(session, '?', (s) => s.includes('svmtop keys'), '? opens help');
    await pressAndSee(session, '\u001B', (s) => !s.includes('svmtop keys'), 'Esc closes help');
    await pressAndSee(session, '>', (s) => s.includes('HOST^'), '> sorts by host');
    await pressAndSee(session, 'I', (s) => s.includes('HOSTv'), 'I inverts');
    await pressAndSee(session, '<', (s) => s.includes('VMv'), '< sorts by name');
    await pressAndSee(session, 'I', (s) => s.includes('VM^'), 'I inverts back');
    await pressAndSee(session, '/', (s) => s.includes('filter:'), '/ opens the filter');
    session.press('d');
    session.press('b');
    await session.waitFor((s) => s.includes('db-1') && !s.includes('web-1'), 'the filter applies');
    await pressAndSee(session, '\u001B', (s) => s.includes('web-1'), 'Esc clears the filter');
    await pressAndSee(session, '+', () => statusLine(session).includes('speed 2x'), '+ doubles speed');
    await pressAndSee(session, '-', () => statusLine(session).includes('speed 1x'), '- halves speed');
    await pressAndSee(
      session,
      'x',
      () => statusLine(session).includes('no action for "x"'),
      'unknown keys say so',
    );
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('commands on a VM: confirmations, pause, balloon, policy, workload, migrate, cancel', async () => {
    const session = startSvmtop();
    await session.waitFor(
      (screen) => screen.includes('churn-1') && /churn-1 +alpha +running/.test(screen),
      'churn-1 running',
    );
    session.press('j');
    await pressAndSee(session, 'j', (s) => selected(s).includes('churn-1'), 'select churn-1');
    await pressAndSee(
      session,
      's',
      (s) => s.includes('churn-1: kexec into its kernel with svm=on') && s.includes('Go secure?'),
      's asks',
    );
    await pressAndSee(session, 'n', () => statusLine(session).includes('cancelled'), 'n cancels');
    await pressAndSee(
      session,
      'u',
      (s) => s.includes('churn-1 refused: churn-1 is already normal'),
      'u says why not',
    );
    await pressAndSee(
      session,
      'r',
      (s) => s.includes('churn-1: reboots; svm=off stays. Reboot? [y/N]'),
      'r asks',
    );
    await pressAndSee(session, '\u001B', () => statusLine(session).includes('cancelled'), 'Esc cancels');
    await pressAndSee(session, 'r', (s) => s.includes('Reboot? [y/N]'), 'r asks again');
    await pressAndSee(session, 'n', () => statusLine(session).includes('cancelled'), 'n cancels');
    await pressAndSee(session, 'p', (s) => /churn-1 +alpha +paused/.test(s), 'p pauses');
    await pressAndSee(session, 'p', (s) => /churn-1 +alpha +running/.test(s), 'p resumes');
    await pressAndSee(
      session,
      'b',
      // The target's line lasts until the balloon holds it: a starved test may see only the second.
      () => /balloon churn-1: (target|holds) 256MiB/.test(statusLine(session)),
      'b inflates',
    );
    await pressAndSee(
      session,
      'B',
      () => statusLine(session).includes('balloon churn-1: target 0B'),
      'B deflates',
    );
    await pressAndSee(
      session,
      'P',
      () => statusLine(session).includes('force-dma-api takes effect at the next boot'),
      'P cycles policy',
    );
    await pressAndSee(
      session,
      'w',
      () => /workload churn-1: \w+ from now on/.test(statusLine(session)),
      'w cycles workload',
    );
    await pressAndSee(
      session,
      'c',
      () => statusLine(session).includes('churn-1 is not migrating'),
      'c without a migration says why',
    );
    await pressAndSee(
      session,
      'm',
      (s) => s.includes('migrate churn-1 to') && s.includes('would accept'),
      'm opens the picker',
    );
    await pressAndSee(
      session,
      '\r',
      () => statusLine(session).includes('migrate churn-1: ok'),
      'Enter migrates',
    );
    await pressAndSee(
      session,
      '3',
      (s) => /ACTIVE \(pre-copy\) -> beta/.test(s),
      'the migration tab shows progress',
    );
    await pressAndSee(
      session,
      'c',
      () => statusLine(session).includes('migrate-cancel churn-1: ok'),
      'c cancels',
    );
    await session.waitFor((s) => s.includes('CANCELLED'), 'cancelled');
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });
});
