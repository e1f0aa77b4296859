import {describe, expect, test} from 'vitest';
import {PEF_MIGRATION_BLOCKER} from '../../src/host/migration/migration-blockers.js';
import {startQmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';
import {QEMU_BINARY, qemuVersionOrWarn, startQemuPeer, startSvmtopPeer} from './oracle-peers.js';

/**
 * migrate's checks in order, with a real QEMU as the oracle: qmp_migrate runs migrate_prepare
 * (a running migration, the blockers, blk/inc) before it parses the URI (qemu/qemu
 * migration/migration.c, 7.2).
 */
const version = qemuVersionOrWarn("the QEMU oracle tests of migrate's order of checks");

const ACTIVE = "There's a migration process in progress";
const IVSHMEM_BLOCKER = "Migration is disabled when using feature 'peer mode' in device 'ivshmem'";

/** Arguments each refused for more than one reason; only the first check's words come back. */
const TRIES = [{blk: true}, {inc: true}, {uri: 'nosuch:x'}, {uri: 'tcp:'}];

async function descsOf(socketPath: string, uri: string, setUp: (client: QmpTestClient) => Promise<void>) {
  const client = await QmpTestClient.negotiated(socketPath);
  try {
    await setUp(client);
    const descs: unknown[] = [];
    for (const tried of TRIES) {
      const reply = (await client.execute('migrate', {uri, ...tried})).json;
      descs.push((reply.error as {desc?: string} | undefined)?.desc ?? reply);
    }
    return descs;
  } finally {
    client.close();
  }
}

/** A migration that stays running: 1 byte/s (QEMU's to `exec:cat`, svmtop's not advanced). */
const migrating = (uri: string) => async (client: QmpTestClient) => {
  await client.execute('migrate-set-parameters', {'max-bandwidth': 1});
  expect((await client.execute('migrate', {uri})).json).toEqual({return: {}});
};

/** Runs `work` with `peer`, closing it after, whatever happens. */
async function closing<P extends {close(): Promise<void>}>(peer: P, work: (peer: P) => Promise<void>) {
  try {
    await work(peer);
  } finally {
    await peer.close();
  }
}

describe.skipIf(!version)(`migrate's order of checks: ${version ?? QEMU_BINARY} as the oracle`, () => {
  test('while a migration runs, blk, inc and a bad URI are all a migration in progress; svmtop the same', async () => {
    for (const start of [startQemuPeer, startSvmtopPeer])
      await closing(await start(), async ({socketPath, migrationUri: uri}) => {
        expect(await descsOf(socketPath, uri, migrating(uri))).toEqual(TRIES.map(() => ACTIVE));
      });
  }, 60_000);

  test("a VM's blocker comes before blk, inc and the URI; svmtop's pef.c blocker the same", async () => {
    const args = ['-object', 'memory-backend-ram,id=shm,size=1M', '-device', 'ivshmem-plain,memdev=shm'];
    await closing(await startQemuPeer({args}), async (qemu) => {
      const descs = await descsOf(qemu.socketPath, qemu.migrationUri, async () => {});
      expect(descs).toEqual(TRIES.map(() => IVSHMEM_BLOCKER));
    });
    await closing(await startQmpFixture({bootSeconds: 5}), async (svmtop) => {
      const descs = await descsOf(svmtop.server.socketPath('rogue-1'), 'tcp:alpha', async () => {});
      expect(descs).toEqual(TRIES.map(() => PEF_MIGRATION_BLOCKER));
    });
  }, 60_000);
});
