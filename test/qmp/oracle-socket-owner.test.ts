import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, lstatSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {QmpServer, QmpSetupError} from '../../src/qmp/qmp-server.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {pollUntil, untilListening} from '../helpers/poll-until.js';
import {useTempDirs} from '../helpers/temp-dirs.js';
import {configFromYaml, startWorld} from '../helpers/world.js';
import {QEMU_BINARY, qemuVersionOrWarn} from './oracle-peers.js';
import {QmpTestClient} from './qmp-client.js';

/**
 * Where svmtop is stricter than QEMU: a second QEMU on a live monitor's path unlinks it and takes
 * it over (qemu/qemu util/qemu-sockets.c unix_listen_saddr), then removes it when it exits; a
 * second svmtop refuses to start.
 */
const version = qemuVersionOrWarn('the QEMU socket-owner oracle tests');
const WAIT_MS = 15_000;
const temp = useTempDirs('svmtop-oracle-owner-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function qemu(socketPath: string): ChildProcess {
  const args = ['-M', 'pseries', '-S', '-nodefaults', '-display', 'none'];
  const child = spawn(QEMU_BINARY, [...args, '-qmp', `unix:${socketPath},server=on,wait=off`], {
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

/** Waits (bounded) until `condition` holds: QEMU says nothing when its socket is ready. */
const until = (condition: () => boolean, what: string) =>
  pollUntil(condition, WAIT_MS, () => `timed out waiting for ${what}`);

/** Waits (bounded) until QEMU listens at `path`: the file is there from bind(2), before listen(2). */
const listening = (path: string, what: string) =>
  untilListening(path, WAIT_MS, (refusal) => `timed out waiting for ${what} (last connect: ${refusal})`);

const inode = (path: string) => (existsSync(path) ? lstatSync(path).ino : undefined);

describe.skipIf(!version)(
  `a second monitor on a live socket's path: ${version ?? QEMU_BINARY} and svmtop`,
  () => {
    test('QEMU takes the path over and removes it on exit, leaving the first without a socket', async () => {
      const root = temp.root();
      const path = join(root, 'vm.qmp');
      const first = qemu(path);
      await listening(path, 'the first QEMU socket');
      const firstInode = inode(path);
      const second = qemu(path);
      await until(() => inode(path) !== firstInode && inode(path) !== undefined, 'the second QEMU socket');
      await listening(path, 'the second QEMU to listen');
      // A reply from the main loop (the greeting comes from the monitor's I/O thread): QEMU's signal
      // handlers are in place, so SIGTERM is its clean exit rather than a death during start-up.
      const client = await QmpTestClient.negotiated(path);
      await client.execute('query-status');
      client.close();
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
      expect(existsSync(path)).toBe(false);
      expect(first.exitCode).toBe(null);
    });

    test('svmtop refuses to start on a path another process listens on', async () => {
      const root = temp.root();
      const dir = join(root, 'q');
      mkdirSync(dir, {mode: 0o700});
      const path = join(dir, 'vm.qmp');
      qemu(path);
      await listening(path, 'the QEMU socket');
      const before = inode(path);
      const world = startWorld(
        configFromYaml(`hosts: [{name: h, memory: 64GiB}]
guests:
  - {name: vm, host: h, vcpus: 1, memory: 1GiB, image: {kernel: k}, devices: [{type: blk}]}`),
      );
      const started = QmpServer.start({dir, port: new WorldPort(world)});
      await expect(started).rejects.toThrow(QmpSetupError);
      await expect(started).rejects.toThrow(`another process is listening on ${path}`);
      expect(inode(path)).toBe(before);
    });
  },
);
