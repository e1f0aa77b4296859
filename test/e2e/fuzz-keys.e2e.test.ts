import {existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {Rng} from '../../src/core/rng.js';
import {startSvmtop} from '../helpers/pty.js';

/** Keys a user (or a cat on the keyboard) can send; Ctrl-C, Ctrl-Z and Ctrl-\ are left out: they end or stop the program. */
const KEYS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-=/<>?!@#$%^&*() ',
  '\r',
  '\t',
  '\u001B',
  '\u007F',
  '\u001B[A',
  '\u001B[B',
  '\u001B[C',
  '\u001B[D',
  '\u001B[5~',
  '\u001B[6~',
  '\u001B[H',
  '\u001B[F',
  '\u001B[Z',
  '\u0001',
  '\u0004',
  '\u000C',
  '\u0015',
  '\u001BOP',
  '\u001B[15~',
  'yy',
  'jjjj',
  '\u001B\u001B',
];

describe('random keystrokes', () => {
  it.each([7, 8])(
    'seed %i: 300 random keys never crash the dashboard, and q still quits with the terminal restored',
    async (seed) => {
      const rng = new Rng(seed);
      const session = startSvmtop();
      await session.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
      for (let count = 0; count < 300; count++) {
        const key = rng.pick(KEYS);
        // 'q' would end the run early; it is pressed at the end.
        if (key === 'q') continue;
        session.press(key);
        if (count % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const key of ['\u001B', 'n', '\u001B', '\u001B']) {
        session.press(key);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      session.press('q');
      const {exitCode} = await session.exited;
      expect(exitCode, `seed ${seed}`).toBe(0);
      expect(session.raw()).not.toContain('internal error');
      const raw = session.raw();
      expect(raw.lastIndexOf('\u001B[?1049l')).toBeGreaterThan(raw.lastIndexOf('\u001B[?1049h'));
      expect(existsSync(join(tmpdir(), `svmtop-crash-${session.pid}.log`))).toBe(false);
    },
  );
});
