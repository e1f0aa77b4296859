import {existsSync, lstatSync, readdirSync, renameSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {join} from 'node:path';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {refuseLiveSockets} from '../../src/qmp/qmp-server.js';
import {liveSocketMessage} from '../../src/qmp/socket-file.js';
import {VmMonitor, type MonitorHooks} from '../../src/qmp/vm-monitor.js';
import {orphanSocket, useTempDirs} from '../helpers/temp-dirs.js';

// What happens at <vm>.qmp between the check (clearSocketPath) and the moment the monitor's own
// socket takes the name: README promises a live socket is never replaced, nor a file that is not one.
const temp = useTempDirs('svmtop-race-');
const servers: net.Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const monitorAt = (path: string) => new VmMonitor('web-1', {}, path, {} as MonitorHooks);

/** Runs `meanwhile` just as the monitor starts listening on its own name: after the path was checked. */
function whenListening(meanwhile: () => void): void {
  const spy = vi.spyOn(net.Server.prototype, 'listen').mockImplementationOnce(function (
    this: net.Server,
    ...args: Parameters<net.Server['listen']>
  ) {
    meanwhile();
    spy.mockRestore();
    return this.listen(...args);
  });
}

async function liveServer(path: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.on('error', () => undefined).end('other\n'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

const connectable = (path: string) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    net
      .connect(path)
      .setEncoding('utf8')
      .on('data', (chunk: string) => (text += chunk))
      .on('end', () => resolve(text))
      .on('error', reject);
  });

describe('a socket path taken between the check and the monitor taking it', () => {
  test('a live server that appears there is not replaced: the monitor refuses, and leaves no socket of its own', async () => {
    const dir = temp.root();
    const path = join(dir, 'web-1.qmp');
    await liveServer(join(dir, 'elsewhere'));
    const inode = lstatSync(join(dir, 'elsewhere')).ino;
    whenListening(() => renameSync(join(dir, 'elsewhere'), path));
    const monitor = monitorAt(path);
    await expect(monitor.listen()).rejects.toThrow(liveSocketMessage(path));
    expect(lstatSync(path).ino).toBe(inode);
    expect(await connectable(path)).toBe('other\n');
    expect(readdirSync(dir)).toEqual(['web-1.qmp']);
  });

  test('a regular file that appears there is left alone; the monitor stops listening and its .qm~ is gone', async () => {
    const dir = temp.root();
    const path = join(dir, 'web-1.qmp');
    whenListening(() => writeFileSync(path, 'mine\n'));
    const monitor = monitorAt(path);
    await expect(monitor.listen()).rejects.toThrow(`${path} exists and is not a socket; not replacing it`);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readdirSync(dir)).toEqual(['web-1.qmp']);
    await expect(connectable(join(dir, 'web-1.qm~'))).rejects.toMatchObject({code: 'ENOENT'});
  });

  test('a stale socket that appears there is replaced, as one found at the check is', async () => {
    const dir = temp.root();
    const path = join(dir, 'web-1.qmp');
    const staleAt = join(dir, 'stale');
    orphanSocket(staleAt);
    const staleInode = lstatSync(staleAt).ino;
    whenListening(() => renameSync(staleAt, path));
    const monitor = monitorAt(path);
    await monitor.listen();
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(lstatSync(path).ino).not.toBe(staleInode);
    expect(readdirSync(dir)).toEqual(['web-1.qmp']);
    await monitor.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('closing a monitor', () => {
  test('removes its socket while it still listens (a closed socket’s inode may be reused at the path)', async () => {
    const dir = temp.root();
    const path = join(dir, 'web-1.qmp');
    const monitor = monitorAt(path);
    await monitor.listen();
    expect(lstatSync(path).isSocket()).toBe(true);
    const closed = monitor.close();
    expect(existsSync(path)).toBe(false);
    await closed;
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a second run refused by live sockets', () => {
  test('connects to the first live one only, not to each', async () => {
    const dir = temp.root();
    let connections = 0;
    for (const vm of ['a', 'b', 'c']) {
      const server = await liveServer(join(dir, `${vm}.qmp`));
      server.on('connection', () => connections++);
    }
    await expect(refuseLiveSockets(dir, ['a', 'b', 'c'])).rejects.toThrow(
      liveSocketMessage(join(dir, 'a.qmp')),
    );
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    while (connections === 0) await turn();
    await turn();
    expect(connections).toBe(1);
  });
});
