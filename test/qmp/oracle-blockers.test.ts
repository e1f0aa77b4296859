import {describe, expect, test} from 'vitest';
import {PEF_MIGRATION_BLOCKER} from '../../src/host/migration/migration-blockers.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import type {World} from '../../src/host/world.js';
import {configFromYaml} from '../helpers/world.js';
import {advanceUntilMigration, startQmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';
import {OMITTED_RAM, QEMU_BINARY, qemuVersionOrWarn, startQemuPeer, type Peer} from './oracle-peers.js';
import {shapeProblems} from './shape.js';

/**
 * query-migrate's blocked-reasons with a real QEMU as the oracle: fill_source_migration_info lists
 * the migration blockers held at query time before it switches on the status (qemu/qemu
 * migration/migration.c). Under TCG an ivshmem-plain device (peer mode) is such a blocker
 * (hw/misc/ivshmem.c ivshmem_common_realize, migrate_add_blocker); svmtop's is pef.c's.
 */
const version = qemuVersionOrWarn("the QEMU oracle tests of query-migrate's blocked-reasons");

const IVSHMEM_BLOCKER = "Migration is disabled when using feature 'peer mode' in device 'ivshmem'";
const SHARED_MEMORY = ['-object', 'memory-backend-ram,id=shm,size=1M'];

type Reply = Record<string, unknown>;

async function withQemu(args: readonly string[], work: (client: QmpTestClient, peer: Peer) => Promise<void>) {
  const peer = await startQemuPeer({args});
  try {
    const client = await QmpTestClient.negotiated(peer.socketPath);
    try {
      await work(client, peer);
    } finally {
      client.close();
    }
  } finally {
    await peer.close();
  }
}

/** A mainline world's pef-guest g1 on `host` (booted), served over QMP. */
async function withSvmtop(host: string, work: (client: QmpTestClient, world: World) => Promise<void>) {
  const yaml = worldYaml([{devices: '[]', workload: 'idle', host, declared: 'allowed'}], '', 'mainline');
  const svmtop = await startQmpFixture({config: configFromYaml(yaml), bootSeconds: 5});
  try {
    await work(await svmtop.connect('g1'), svmtop.world);
  } finally {
    await svmtop.close();
  }
}

const queryMigrate = async (client: QmpTestClient) => (await client.execute('query-migrate')).json;
const statusOf = (reply: Reply) => (reply.return as {status?: string}).status;

/** `migrate` is refused with `desc`, and query-migrate answers after it as before it. */
async function refusedKeepingInfo(client: QmpTestClient, uri: string, desc: string): Promise<Reply> {
  const before = await queryMigrate(client);
  expect((await client.execute('migrate', {uri})).json).toEqual({error: {class: 'GenericError', desc}});
  expect(await queryMigrate(client)).toEqual(before);
  return before;
}

/** QEMU's migration to `exec:cat > /dev/null`, waited for (bounded) until completed. */
async function migrateToNowhere(client: QmpTestClient, peer: Peer): Promise<Reply> {
  await client.execute('migrate-set-parameters', {'max-bandwidth': 100_000_000_000});
  expect((await client.execute('migrate', {uri: peer.migrationUri})).json).toEqual({return: {}});
  for (let round = 0; round < 120 && statusOf(await queryMigrate(client)) !== 'completed'; round++)
    await peer.pass(0.25);
  const completed = await queryMigrate(client);
  expect(statusOf(completed)).toBe('completed');
  return completed;
}

describe.skipIf(!version)(`query-migrate's blocked-reasons: ${version ?? QEMU_BINARY} as the oracle`, () => {
  test('QEMU lists a blocker held from machine start with no migrate tried, and the same after the refusal; svmtop too', async () => {
    await withQemu([...SHARED_MEMORY, '-device', 'ivshmem-plain,memdev=shm'], async (client, peer) => {
      const before = await refusedKeepingInfo(client, peer.migrationUri, IVSHMEM_BLOCKER);
      expect(before).toEqual({return: {'blocked-reasons': [IVSHMEM_BLOCKER]}});
    });
    await withSvmtop('oldqemu', async (client) => {
      const before = await refusedKeepingInfo(client, 'tcp:uv1', PEF_MIGRATION_BLOCKER);
      expect(before).toEqual({return: {'blocked-reasons': [PEF_MIGRATION_BLOCKER]}});
    });
  }, 60_000);

  test('a blocker added after a completed migration: QEMU shows it beside the record, and a refused migrate changes neither; svmtop answers in the same shape', async () => {
    let theirs: Reply = {};
    await withQemu(SHARED_MEMORY, async (client, peer) => {
      const completed = await migrateToNowhere(client, peer);
      expect((completed.return as Reply)['blocked-reasons']).toBeUndefined();
      // A source QEMU in postmigrate refuses migrate before it looks at blockers: run it, then pause it.
      await client.execute('cont');
      await client.execute('stop');
      await client.execute('device_add', {driver: 'ivshmem-plain', memdev: 'shm', id: 'shm0'});
      theirs = await refusedKeepingInfo(client, peer.migrationUri, IVSHMEM_BLOCKER);
      // ram.total reads the RAM blocks now, the device's shared memory included (ram_bytes_total).
      expect(theirs.return).toEqual({
        ...(completed.return as Reply),
        ram: (theirs.return as Reply).ram,
        'blocked-reasons': [IVSHMEM_BLOCKER],
      });
    });
    await withSvmtop('uv1', async (client, world) => {
      expect((await client.execute('migrate', {uri: 'tcp:oldqemu'})).json).toEqual({return: {}});
      await advanceUntilMigration(world, 'g1', 'completed');
      // svmtop's pef-guest gains pef.c's blocker by arriving where the destination QEMU holds it.
      const ours = await refusedKeepingInfo(client, 'tcp:uv1', PEF_MIGRATION_BLOCKER);
      expect(shapeProblems(ours, theirs, {omitted: OMITTED_RAM})).toEqual([]);
      expect((ours.return as Reply)['blocked-reasons']).toEqual([PEF_MIGRATION_BLOCKER]);
    });
  }, 90_000);
});
