import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {QmpServer} from '../../src/qmp/qmp-server.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {useTempDirs} from '../helpers/temp-dirs.js';
import {defaultConfig, startWorld} from '../helpers/world.js';
import {advance, advanceUntil} from './fixture.js';

const {root: freshRoot} = useTempDirs('svmtop-qmp-');
const servers: QmpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(dir: string) {
  const world = startWorld(defaultConfig());
  const server = await QmpServer.start({dir, port: new WorldPort(world)});
  servers.push(server);
  return {server, world};
}

const warnings = (world: ReturnType<typeof startWorld>, vm: string, pattern: RegExp) =>
  world.events.recent(100_000, vm).filter((event) => pattern.test(event.message)).length;

/** A socket that cannot be made is told once per VM incarnation, not on every world change (tester 17, M1). */
describe('a QMP socket that cannot be created', () => {
  test('a file in its place: one warning over many world changes; a VM removed and added again tries once more', async () => {
    const dir = join(freshRoot(), 'qmp');
    mkdirSync(dir, {mode: 0o700});
    writeFileSync(join(dir, 'rogue-1.qmp'), 'not a socket');
    const {server, world} = await start(dir);
    const notSocket = /no QMP socket: .*rogue-1\.qmp exists and is not a socket/;
    await advance(world, 1, 10_000);
    expect(warnings(world, 'rogue-1', notSocket)).toBe(1);

    const config = defaultConfig();
    world.applyConfig({...config, guests: config.guests.filter((guest) => guest.name !== 'rogue-1')});
    await advance(world, 0.1);
    world.applyConfig(config);
    await advanceUntil(world, () => warnings(world, 'rogue-1', notSocket) === 2, 5, 'a second attempt');
    await advance(world, 1, 10_000);
    await server.close();
    expect(warnings(world, 'rogue-1', notSocket)).toBe(2);
  });

  test('a VM added live whose socket path is too long: one warning, however long the run', async () => {
    const root = freshRoot();
    const dir = join(root, 'd'.repeat(107 - root.length - '/'.length - '/bounce-test.qmp'.length));
    const {server, world} = await start(dir);
    const config = defaultConfig();
    world.applyConfig({...config, guests: [...config.guests, {...config.guests[0]!, name: 'bounce-test-2'}]});
    await advance(world, 1, 10_000);
    await server.close();
    expect(warnings(world, 'bounce-test-2', /no QMP socket: .* is longer than 107 bytes/)).toBe(1);
  });
});
