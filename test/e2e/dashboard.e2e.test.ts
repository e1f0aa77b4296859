import {describe, expect, it} from 'vitest';
import {startSvmtop} from '../helpers/pty.js';

const selected = (screen: string) => screen.split('\n').find((line) => line.startsWith('>')) ?? '';

describe('svmtop in a real terminal', () => {
  it('shows the default world, moves the selection with j, and exits 0 on q restoring the terminal', async () => {
    const session = startSvmtop();
    const screen = await session.waitFor(
      (text) => text.includes('web-1') && text.includes('churn-1'),
      'the VM list',
    );
    expect(screen).toContain('5 hosts (4 UV, 2018-era: epsilon)');
    expect(selected(screen)).toContain('batch-1');
    session.press('j');
    await session.waitFor((text) => selected(text).includes('bounce-test'), 'selection on bounce-test');
    session.press('q');
    const {exitCode} = await session.exited;
    expect(exitCode).toBe(0);
    expect(session.raw()).toContain('\u001B[?1049h');
    expect(session.raw().lastIndexOf('\u001B[?1049l')).toBeGreaterThan(
      session.raw().lastIndexOf('\u001B[?1049h'),
    );
  });
});
