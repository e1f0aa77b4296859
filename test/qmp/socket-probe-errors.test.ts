import {chmodSync, mkdirSync} from 'node:fs';
import net from 'node:net';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {QmpSetupError, refuseLiveSockets} from '../../src/qmp/qmp-server.js';
import {clearSocketPath, type SocketProbe} from '../../src/qmp/socket-file.js';
import {killStartedChildren, startHeadless} from '../helpers/headless-child.js';
import {useTempDirs} from '../helpers/temp-dirs.js';

/**
 * The liveness probe's connect failing for a reason other than "nobody listens" (ECONNREFUSED)
 * or "gone" (ENOENT) says what happened: svmtop cannot tell whether the socket is in use, so it
 * still refuses to replace it, but it does not claim another process listens there.
 */

// Registered first, so it runs last: the children and servers stop before their directories go.
const dirs = useTempDirs('svmtop-probe-');
const owners: net.Server[] = [];
afterEach(async () => {
  killStartedChildren();
  await Promise.all(owners.splice(0).map((owner) => new Promise((resolve) => owner.close(resolve))));
});

/** A directory with a socket someone listens on at `<dir>/web-1.qmp`. */
async function heldSocket(): Promise<{dir: string; path: string}> {
  const root = dirs.root();
  const dir = join(root, 'q');
  mkdirSync(dir, {mode: 0o700}); // svmtop refuses a directory others can enter
  const path = join(dir, 'web-1.qmp');
  const owner = net.createServer();
  owners.push(owner);
  await new Promise<void>((resolve) => owner.listen(path, resolve));
  return {dir, path};
}

const failingWith =
  (code: string): SocketProbe =>
  () =>
    Promise.resolve(code);

const unreachable = (path: string) =>
  `cannot connect to ${path} to see whether it is in use: permission denied; not replacing it`;

describe('a socket path the liveness probe cannot connect to', () => {
  test('is refused at start for what happened (EACCES injected), not as a listener', async () => {
    const {dir, path} = await heldSocket();
    const refused = refuseLiveSockets(dir, ['web-1'], failingWith('EACCES'));
    await expect(refused).rejects.toBeInstanceOf(QmpSetupError);
    await expect(refused).rejects.toThrow(`--qmp ${dir}: ${unreachable(path)}`);
  });

  test('is not replaced by a monitor either, and says why', async () => {
    const {path} = await heldSocket();
    await expect(clearSocketPath(path, failingWith('EACCES'))).rejects.toThrow(unreachable(path));
    await expect(clearSocketPath(path, failingWith('EPERM'))).rejects.toThrow(
      `cannot connect to ${path} to see whether it is in use: operation not permitted; not replacing it`,
    );
  });

  test('a full backlog (EAGAIN) is still a listener', async () => {
    const {dir, path} = await heldSocket();
    await expect(refuseLiveSockets(dir, ['web-1'], failingWith('EAGAIN'))).rejects.toThrow(
      `--qmp ${dir}: another process is listening on ${path}; not replacing it`,
    );
  });

  test('a real chmod 000 socket: exit 2 and one line saying permission was denied', async (context) => {
    const {dir, path} = await heldSocket();
    chmodSync(path, 0o000);
    const isBlocked = await new Promise<boolean>((resolve) => {
      const probe = net.connect(path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (!isBlocked) {
      console.warn(
        `SKIPPED: chmod 000 does not stop uid ${process.getuid?.()} connecting (root bypasses it); the injected EACCES above covers the words`,
      );
      context.skip();
    }
    const run = startHeadless(['--headless', '--qmp', dir, '--duration', '1s', '--speed', '100']);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toBe(`svmtop: --qmp ${dir}: ${unreachable(path)}\n`);
    expect(run.stdout()).toBe('');
  });
});
