import {afterEach, describe, expect, test} from 'vitest';
import {killStartedChildren, startHeadless} from './helpers/headless-child.js';

// README, exit codes: a signal ends a plain headless run with its summary at that instant, then
// 128 + n, so that a script knows there is a summary and that the run was cut short.
afterEach(killStartedChildren);

describe('plain headless on a signal: the summary at that instant, then exit 128 + n', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)
    test(`${signal}: exit ${code}`, async () => {
      const run = startHeadless(['--headless', '--duration', '1000h']);
      await run.firstOutput;
      run.child.kill(signal);
      expect(await run.exited).toEqual({code, signal: null});
      const lines = run.lines();
      expect(lines.at(-1)!.type).toBe('summary');
      expect(lines.filter((line) => line.type === 'summary')).toHaveLength(1);
      expect(lines.at(-1)!.t).toBeLessThan(1000 * 3600);
    });
});
