import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {killStartedChildren, startHeadless} from '../helpers/headless-child.js';

// README: "Sockets are removed on exit — every exit ... only SIGKILL leaves them"; SIGHUP is how an
// ssh session ends. (SIGTERM is in cli-qmp.test.ts.)
const roots: string[] = [];
afterEach(() => {
  killStartedChildren();
  for (const root of roots.splice(0)) rmSync(root, {recursive: true, force: true});
});

function qmpDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'svmtop-qmp-signals-'));
  roots.push(root);
  return join(root, 'q');
}

const sockets = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.qmp'));

describe('headless --qmp ends on SIGHUP and SIGINT as on SIGTERM: the summary, exit 0, no socket left', () => {
  for (const signal of ['SIGHUP', 'SIGINT'] as const)
    test(signal, async () => {
      const dir = qmpDir();
      const run = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
      await run.firstOutput;
      expect(sockets(dir).length).toBeGreaterThan(0);
      run.child.kill(signal);
      expect(await run.exited).toEqual({code: 0, signal: null});
      expect(run.lines().at(-1)!.type).toBe('summary');
      expect(sockets(dir)).toEqual([]);
    });

  test('a second signal before the run has ended: it exits (0, or 128 + n at once), never dies of it, no socket left', async () => {
    const dir = qmpDir();
    const run = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
    await run.firstOutput;
    run.child.kill('SIGTERM');
    run.child.kill('SIGHUP');
    const {code, signal} = await run.exited;
    expect(signal).toBe(null);
    // Both may be pending at once, and Linux delivers the lower-numbered first: either can be second.
    expect([0, 129, 143]).toContain(code);
    expect(sockets(dir)).toEqual([]);
  });
});
