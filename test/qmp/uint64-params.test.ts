import {describe, expect, test} from 'vitest';
import {HeadlessRun} from '../../src/headless.js';
import {MIGRATION_DEFAULTS} from '../../src/host/migration/migration-params.js';
import {errorOf, useQmpFixture, type QmpFixture} from './fixture.js';
import {defaultConfig, vm} from '../helpers/world.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** The raw text of one member of query-migrate-parameters' reply, as the client received it. */
async function echoed(client: Awaited<ReturnType<QmpFixture['connect']>>, member: string): Promise<string> {
  const reply = await client.execute('query-migrate-parameters');
  const match = new RegExp(`"${member}": ([^,}]+)`).exec(reply.raw);
  return match![1]!;
}

describe('uint64 migration parameters keep every bit (QEMU 7.2 echoes what it was given)', () => {
  test('max-bandwidth -1 reads back as 2^64 - 1, and 2^53 + 1 as itself', async () => {
    const client = await fixture.connect('churn-1');
    client.sendRaw('{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": -1}}\n');
    expect((await client.reply()).json).toEqual({return: {}});
    expect(await echoed(client, 'max-bandwidth')).toBe('18446744073709551615');
    client.sendRaw(
      '{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": 9007199254740993}}\n',
    );
    expect((await client.reply()).json).toEqual({return: {}});
    expect(await echoed(client, 'max-bandwidth')).toBe('9007199254740993');
  });

  test('downtime-limit past 2000 s is refused however large, and a refused set changes nothing', async () => {
    const client = await fixture.connect('churn-1');
    for (const value of ['-1', '18446744073709551615', '9007199254740993', '2000001']) {
      client.sendRaw(
        `{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": 5, "downtime-limit": ${value}}}\n`,
      );
      expect(errorOf(await client.reply()).desc, value).toBe(
        "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
      );
    }
    expect(await echoed(client, 'max-bandwidth')).toBe('134217728');
    expect(await echoed(client, 'downtime-limit')).toBe('300');
  });

  test('a migration started with max-bandwidth 2^64 - 1 runs, and its snapshot holds the exact value', async () => {
    const client = await fixture.connect('churn-1');
    client.sendRaw('{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": -1}}\n');
    await client.reply();
    expect((await client.execute('migrate', {uri: 'tcp:beta'})).json).toEqual({return: {}});
    fixture.world.advanceBy(200_000);
    const migration = vm(fixture.world, 'churn-1').migration!;
    expect(migration.status).toBe('active');
    expect(migration.parameters.maxBandwidthBytesPerSecond).toBe(2n ** 64n - 1n);
  });
});

describe('headless prints a max-bandwidth above 2^53 as its exact JSON integer', () => {
  test('the snapshot line carries 18446744073709551615 as integer text, every other member as before', () => {
    const lines: string[] = [];
    const run = new HeadlessRun({
      config: defaultConfig(),
      scenario: null,
      seed: 1,
      durationUs: 8_000_000,
      intervalUs: 1_000_000,
      write: (line) => lines.push(line),
    });
    run.step(5_000_000);
    const params = {...MIGRATION_DEFAULTS, maxBandwidthBytesPerSecond: 2n ** 64n - 1n};
    expect(run.world.command('churn-1', {do: 'migrate', to: 'beta', params}).ok).toBe(true);
    run.step(6_000_000);
    const snapshot = lines.filter((line) => line.startsWith('{"type":"snapshot"')).at(-1)!;
    expect(snapshot).toContain('"maxBandwidthBytesPerSecond":18446744073709551615,');
    const parsed = JSON.parse(snapshot) as {vms: Array<{name: string; migration: {to: string} | null}>};
    expect(parsed.vms.find((guest) => guest.name === 'churn-1')!.migration!.to).toBe('beta');
  });
});
