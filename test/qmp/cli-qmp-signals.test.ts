import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {CLI} from '../helpers/cli.js';
import {killStartedChildren, startHeadless} from '../helpers/headless-child.js';
import {pollUntil} from '../helpers/poll-until.js';
import {qmpSockets, useTempDirs} from '../helpers/temp-dirs.js';

// README: "Sockets are removed on exit — every exit ... only SIGKILL leaves them"; SIGHUP is how an
// ssh session ends. (SIGTERM is in cli-qmp.test.ts.)
const temp = useTempDirs('svmtop-qmp-signals-');
const spawned: ChildProcess[] = [];
afterEach(() => {
  killStartedChildren();
  for (const child of spawned.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('headless --qmp ends on SIGHUP and SIGINT as on SIGTERM: the summary, exit 0, no socket left', () => {
  for (const signal of ['SIGHUP', 'SIGINT'] as const)
    test(signal, async () => {
      const dir = temp.qmpDir();
      const run = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
      await run.firstOutput;
      expect(qmpSockets(dir).length).toBeGreaterThan(0);
      run.child.kill(signal);
      expect(await run.exited).toEqual({code: 0, signal: null});
      expect(run.lines().at(-1)!.type).toBe('summary');
      expect(readdirSync(dir)).toEqual([]); // a leaked .qm~ too
    });

  test('a second signal while the summary cannot be written (a reader that stopped reading): 128 + n at once, no socket left', async () => {
    const root = temp.root();
    const dir = join(root, 'q');
    // Over 64 KiB of events at start: more than the pipe holds, so the run cannot end by itself.
    const guests = Array.from({length: 600}, (_, index) => `  - {name: g${index}, host: h, memory: 256MiB}`);
    const world = join(root, 'big.yaml');
    writeFileSync(world, `hosts:\n  - {name: h, memory: 200GiB}\nguests:\n${guests.join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [CLI, '--headless', '--config', world, '--qmp', dir, '--duration', '10m'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {...process.env, XDG_CONFIG_HOME: join(root, 'cfg')},
      },
    );
    spawned.push(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
      child.once('exit', (code, signal) => resolve({code, signal})),
    );
    // stdout is never read. The sockets are all there before the first line is written.
    await pollUntil(
      () => existsSync(join(dir, 'g599.qmp')),
      20_000,
      () => `no ${dir}/g599.qmp after 20 s; stderr: ${stderr}`,
    );
    child.kill('SIGTERM');
    child.kill('SIGHUP');
    // Linux delivers the lower-numbered pending signal first: either can be the second. A second
    // signal ignored would leave the run waiting for its reader: this test would time out.
    const {code, signal} = await exited;
    expect(signal).toBe(null);
    expect([129, 143]).toContain(code);
    expect(readdirSync(dir)).toEqual([]); // a leaked .qm~ too
  }, 60_000); // 600 guests start slowly on a loaded 2-core box; the socket wait alone may take 20 s
});
