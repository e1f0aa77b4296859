import {lstatSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {killStartedChildren, startHeadless} from '../helpers/headless-child.js';
import {orphanSocket, qmpSockets, useTempDirs} from '../helpers/temp-dirs.js';
import {QmpTestClient} from './qmp-client.js';

const temp = useTempDirs('svmtop-second-');
afterEach(() => killStartedChildren());

describe('a second svmtop on the same --qmp DIR', () => {
  test('is refused (exit 2, one line naming the path) and leaves the first one its sockets', async () => {
    const dir = temp.qmpDir();
    const first = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
    await first.firstOutput;
    const inodes = new Map(qmpSockets(dir).map((name) => [name, lstatSync(join(dir, name)).ino]));
    expect(inodes.size).toBeGreaterThan(0);
    const second = startHeadless(['--headless', '--qmp', dir, '--duration', '1s', '--speed', '100']);
    expect((await second.exited).code).toBe(2);
    expect(second.stderr()).toMatch(
      new RegExp(
        `^svmtop: --qmp ${dir}: another process is listening on ${dir}/[\\w-]+\\.qmp; not replacing it\\n$`,
      ),
    );
    expect(second.stdout()).toBe('');
    for (const [name, inode] of inodes) expect(lstatSync(join(dir, name)).ino, name).toBe(inode);
    const client = await QmpTestClient.negotiated(join(dir, 'web-1.qmp'));
    expect((await client.execute('query-name')).json).toEqual({return: {name: 'web-1'}});
    client.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({code: 0, signal: null});
    expect(readdirSync(dir)).toEqual([]); // a leaked .qm~ too
  });

  test("being refused leaves the first run's output as it was: no line of its probe, and the next client is qmp#1", async () => {
    const dir = temp.qmpDir();
    const first = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
    await first.firstOutput;
    const second = startHeadless(['--headless', '--qmp', dir, '--duration', '1s', '--speed', '100']);
    expect((await second.exited).code).toBe(2);
    const client = await QmpTestClient.negotiated(join(dir, 'web-1.qmp'));
    await client.execute('stop');
    await client.event((event) => event.json.event === 'STOP');
    client.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({code: 0, signal: null});
    const fromQmp = (first.lines() as Array<{origin?: string; message?: string}>).filter((line) =>
      line.origin?.startsWith('qmp'),
    );
    expect(fromQmp).toContainEqual(expect.objectContaining({origin: 'qmp#1', message: 'pause: ok'}));
    expect(fromQmp.filter((line) => line.origin !== 'qmp#1')).toEqual([]);
    expect(fromQmp.filter((line) => line.message?.startsWith('QMP client connected'))).toHaveLength(1);
  });

  test('on exit removes only the sockets it created: one put in its place by someone else stays', async () => {
    const dir = temp.qmpDir();
    const run = startHeadless(['--headless', '--qmp', dir, '--duration', '10m']);
    await run.firstOutput;
    const path = join(dir, 'web-1.qmp');
    rmSync(path);
    orphanSocket(path);
    const inode = lstatSync(path).ino;
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({code: 0, signal: null});
    expect(readdirSync(dir)).toEqual(['web-1.qmp']);
    expect(lstatSync(path).ino).toBe(inode);
  });
});
