import {describe, expect, test} from 'vitest';
import {errorOf, returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** churn-1's event lines from QMP clients. */
const qmpLines = () =>
  fixture.world.events
    .recent(50, 'churn-1')
    .filter((event) => event.origin?.startsWith('qmp#') === true)
    .map((event) => event.message);

describe("migration parameters in the event log's words", () => {
  test('migrate-set-parameters naming nothing answers {} and is not logged, with or without arguments', async () => {
    const client = await fixture.connect('churn-1');
    const before = qmpLines();
    expect(returned(await client.execute('migrate-set-parameters', {}))).toEqual({});
    expect(returned(await client.execute('migrate-set-parameters'))).toEqual({});
    expect(qmpLines()).toEqual(before);
  });

  test('downtime-limit -1 is refused naming the uint64 exactly, in the reply and in the log', async () => {
    const client = await fixture.connect('churn-1');
    expect(errorOf(await client.execute('migrate-set-parameters', {'downtime-limit': -1})).desc).toBe(
      "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
    );
    expect(qmpLines().at(-1)).toBe(
      'migrate-set-parameters refused: downtime-limit 18446744073709551615 ms is not 0-2000000 ms',
    );
    expect(returned(await client.execute('query-migrate-parameters'))).toMatchObject({'downtime-limit': 300});
  });

  test('max-bandwidth -1 (every bit set) reads "no limit" when a migration starts and when it is told', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate-set-parameters', {'max-bandwidth': -1}))).toEqual({});
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta'}))).toEqual({});
    expect(returned(await client.execute('migrate-set-parameters', {'max-bandwidth': -1}))).toEqual({});
    const lines = qmpLines().join('\n');
    expect(lines).toContain('migration to beta started (bandwidth no limit, downtime limit 300 ms)');
    expect(lines).toContain('migrate-set-parameters: ok (max-bandwidth no limit, downtime-limit 300 ms)');
    expect(lines).not.toContain('PiB');
  });
});
