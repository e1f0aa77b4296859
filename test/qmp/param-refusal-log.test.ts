import {describe, expect, test} from 'vitest';
import {useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** The event log's last line for churn-1. */
const lastLine = () => fixture.world.events.recent(5, 'churn-1').at(-1);

describe('a migrate-set-parameters the host refuses is logged, whoever asked (C3)', () => {
  test('QMP max-bandwidth 0: the reply is as before, and the refusal is an origin-tagged event line', async () => {
    const client = await fixture.connect('churn-1');
    const reply = await client.execute('migrate-set-parameters', {'max-bandwidth': 0});
    expect(reply.json.error).toMatchObject({
      class: 'GenericError',
      desc: 'max-bandwidth 0B/s never moves a page (at least 1B/s)',
    });
    expect(lastLine()).toMatchObject({
      kind: 'command',
      severity: 'warning',
      origin: 'qmp#1',
      message: 'migrate-set-parameters refused: max-bandwidth 0B/s never moves a page (at least 1B/s)',
    });
  });

  test("QMP's refusal gives the same line as the scenario's refusal of the same value", async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('migrate-set-parameters', {'max-bandwidth': 0});
    const overQmp = lastLine()!;
    fixture.world.command('churn-1', {
      do: 'migrate-set-parameters',
      params: {maxBandwidthBytesPerSecond: 0n},
    });
    const fromScenario = lastLine()!;
    expect(overQmp.message).toBe(fromScenario.message);
    expect(overQmp.severity).toBe(fromScenario.severity);
  });

  test("QEMU's range words stay the reply, and the host's reason is the log line", async () => {
    const client = await fixture.connect('churn-1');
    const reply = await client.execute('migrate-set-parameters', {'cpu-throttle-initial': 0});
    expect(reply.json.error).toMatchObject({
      desc: "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
    });
    expect(lastLine()).toMatchObject({
      origin: 'qmp#1',
      message: 'migrate-set-parameters refused: cpu-throttle-initial 0 is not 1-99 %',
    });
  });

  test('a refused set leaves the VM its parameters, while a migration runs too', async () => {
    const client = await fixture.connect('churn-1');
    expect(fixture.world.command('churn-1', {do: 'migrate', to: 'beta', params: {}})).toMatchObject({
      ok: true,
    });
    const before = fixture.world.activeMigration('churn-1')!.params;
    await client.execute('migrate-set-parameters', {'downtime-limit': 2_000_001});
    expect(lastLine()).toMatchObject({
      origin: 'qmp#1',
      message: expect.stringMatching(/^migrate-set-parameters refused: downtime-limit 2000001 ms/),
    });
    expect(fixture.world.activeMigration('churn-1')!.params).toEqual(before);
    const params = (await client.execute('query-migrate-parameters')).json.return as Record<string, unknown>;
    expect(params['downtime-limit']).toBe(300);
  });
});
