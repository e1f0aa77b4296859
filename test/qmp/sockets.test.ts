import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {QmpServer, QmpSetupError} from '../../src/qmp/qmp-server.js';
import {socketPathState} from '../../src/qmp/socket-file.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {pollUntil} from '../helpers/poll-until.js';
import {orphanSocket, useTempDirs} from '../helpers/temp-dirs.js';
import {configFromYaml, defaultConfig, eventsOf, startWorld} from '../helpers/world.js';
import {advance, returned} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

const {root: freshRoot} = useTempDirs('svmtop-qmp-');
const servers: QmpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(dir: string, world = startWorld(defaultConfig())) {
  const server = await QmpServer.start({dir, port: new WorldPort(world)});
  servers.push(server);
  return {server, world};
}

const mode = (path: string) => lstatSync(path).mode & 0o777;

describe('QMP sockets', () => {
  test('DIR is created 0700 and holds one socket per VM, 0600', async () => {
    const dir = join(freshRoot(), 'a', 'qmp');
    const {world} = await start(dir);
    expect(mode(dir)).toBe(0o700);
    for (const name of world.guests.keys()) {
      const path = join(dir, `${name}.qmp`);
      expect(lstatSync(path).isSocket(), path).toBe(true);
      expect(mode(path)).toBe(0o600);
    }
  });

  test('an existing directory others can enter is refused with the rule and the fix; so is a file', async () => {
    const open = join(freshRoot(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    await expect(start(open)).rejects.toThrow(QmpSetupError);
    await expect(start(open)).rejects.toThrow(/others can enter it \(mode 755\).*chmod 700/);
    const file = join(freshRoot(), 'file');
    writeFileSync(file, '');
    await expect(start(file)).rejects.toThrow(/not a directory/);
    expect(statSync(open).mode & 0o777).toBe(0o755);
  });

  test('a socket path longer than a UNIX socket holds is refused at start, naming the longest', async () => {
    const root = freshRoot();
    // bounce-test.qmp is the default world's longest name: one byte over, everything else fits.
    const dir = join(root, 'd'.repeat(107 - root.length - '/'.length - '/bounce-test.qmp'.length));
    const longest = join(dir, 'bounce-test.qmp');
    const tooLong = `${dir}x`;
    await expect(start(tooLong)).rejects.toThrow(QmpSetupError);
    await expect(start(tooLong)).rejects.toThrow(
      `--qmp ${tooLong}: UNIX socket path '${join(tooLong, 'bounce-test.qmp')}' is too long (108 bytes; at most 107)`,
    );
    expect(existsSync(tooLong)).toBe(false);
    expect(Buffer.byteLength(longest)).toBe(107);
    await start(dir);
    expect(lstatSync(longest).isSocket()).toBe(true);
  });

  test('a VM added live whose socket path is too long gets a warning event, not a socket', async () => {
    const root = freshRoot();
    const dir = join(root, 'd'.repeat(107 - root.length - '/'.length - '/bounce-test.qmp'.length));
    const {world} = await start(dir);
    const config = defaultConfig();
    const added = {...config.guests[0]!, name: 'bounce-test-2'};
    world.applyConfig({...config, guests: [...config.guests, added]});
    await advance(world, 0.1);
    expect(eventsOf(world, 'bounce-test-2')).toContainEqual(
      expect.stringContaining(`no QMP socket: ${join(dir, 'bounce-test-2.qmp')} is longer than 107 bytes`),
    );
  });

  test('a stale socket is replaced; a regular file in its place is left alone and reported', async () => {
    const dir = join(freshRoot(), 'qmp');
    mkdirSync(dir, {mode: 0o700});
    orphanSocket(join(dir, 'db-1.qmp'));
    writeFileSync(join(dir, 'rogue-1.qmp'), 'not a socket');
    const {server, world} = await start(dir);
    const client = await QmpTestClient.negotiated(server.socketPath('db-1'));
    expect(returned(await client.execute('query-name'))).toEqual({name: 'db-1'});
    client.close();
    expect(lstatSync(join(dir, 'rogue-1.qmp')).isFile()).toBe(true);
    expect(world.events.recent(50, 'rogue-1').map((event) => event.message)).toContainEqual(
      expect.stringMatching(/no QMP socket: .*rogue-1\.qmp exists and is not a socket/),
    );
  });

  test('a socket another process listens on is refused at start, before any socket is replaced', async () => {
    const dir = join(freshRoot(), 'qmp');
    mkdirSync(dir, {mode: 0o700});
    const stale = join(dir, 'db-1.qmp');
    orphanSocket(stale);
    const live = join(dir, 'web-1.qmp');
    const owner = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => owner.listen(live, resolve));
    try {
      const inode = lstatSync(live).ino;
      const staleInode = lstatSync(stale).ino;
      await expect(start(dir)).rejects.toThrow(QmpSetupError);
      await expect(start(dir)).rejects.toThrow(
        `--qmp ${dir}: another process is listening on ${live}; not replacing it`,
      );
      expect(lstatSync(live).ino).toBe(inode);
      // Nothing half set up: the stale socket is still the old one, and no other VM got a socket.
      expect(lstatSync(stale).ino).toBe(staleInode);
      expect(readdirSync(dir).sort()).toEqual(['db-1.qmp', 'web-1.qmp']);
    } finally {
      await new Promise((resolve) => owner.close(resolve));
    }
  });

  test('what is at a socket path: a live listener, an orphan socket, a file, nothing', async () => {
    const dir = freshRoot();
    const live = join(dir, 'live.qmp');
    const owner = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => owner.listen(live, resolve));
    const orphan = join(dir, 'orphan.qmp');
    orphanSocket(orphan);
    const file = join(dir, 'file.qmp');
    writeFileSync(file, '');
    try {
      expect(await socketPathState(live)).toBe('live');
      expect(await socketPathState(orphan)).toBe('stale');
      expect(await socketPathState(file)).toBe('not-socket');
      expect(await socketPathState(join(dir, 'none.qmp'))).toBe('absent');
    } finally {
      await new Promise((resolve) => owner.close(resolve));
    }
  });

  test('closing removes only the sockets it created: one put in its place by someone else stays', async () => {
    const dir = join(freshRoot(), 'qmp');
    const {server} = await start(dir);
    const path = server.socketPath('web-1');
    rmSync(path);
    orphanSocket(path);
    const inode = lstatSync(path).ino;
    await server.close();
    expect(lstatSync(path).ino).toBe(inode);
    expect(existsSync(server.socketPath('db-1'))).toBe(false);
  });

  test('sockets follow live config changes: added, removed, and clients of a recreated VM let go', async () => {
    const dir = join(freshRoot(), 'qmp');
    const {server, world} = await start(dir);
    const client = await QmpTestClient.negotiated(server.socketPath('web-1'));
    const config = defaultConfig();
    const web = config.guests.find((guest) => guest.name === 'web-1')!;
    const added = {...web, name: 'web-2'};
    const others = config.guests.filter((guest) => guest.name !== 'legacy-1' && guest.name !== 'web-1');
    world.applyConfig({...config, guests: [...others, {...web, vcpus: 2}, added]});
    await advance(world, 0.1);
    await client.closed();
    // The new socket comes after file-system calls on libuv's thread pool, not within a tick.
    const web2 = join(dir, 'web-2.qmp');
    await pollUntil(
      () => existsSync(web2),
      5_000,
      () => `no ${web2} after 5 s`,
    );
    expect(existsSync(web2)).toBe(true);
    expect(existsSync(join(dir, 'legacy-1.qmp'))).toBe(false);
    const again = await QmpTestClient.negotiated(server.socketPath('web-1'));
    expect(returned<unknown[]>(await again.execute('query-cpus-fast'))).toHaveLength(2);
    again.close();
  });

  test('closing the server removes its sockets', async () => {
    const dir = join(freshRoot(), 'qmp');
    const world = startWorld(
      configFromYaml(`hosts: [{name: h, memory: 64GiB}]
guests:
  - {name: only, host: h, vcpus: 1, memory: 1GiB, image: {kernel: k}, devices: [{type: blk}]}`),
    );
    const server = await QmpServer.start({dir, port: new WorldPort(world)});
    expect(existsSync(join(dir, 'only.qmp'))).toBe(true);
    await server.close();
    expect(existsSync(join(dir, 'only.qmp'))).toBe(false);
  });
});
