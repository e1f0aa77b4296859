import {describe, expect, test} from 'vitest';
import {useQmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** churn-1's event lines since the client connected (its `connected` line first). */
const linesOf = (origin: string) =>
  fixture.world.events
    .recent(50, 'churn-1')
    .filter((event) => event.origin === origin)
    .map((event) => event.message);

const lastLine = () => fixture.world.events.recent(5, 'churn-1').at(-1);

describe('a command the monitor refuses itself is logged, with its origin and QEMU words', () => {
  test('migrate to a URI of no protocol svmtop has: the reply as before, and a refusal line', async () => {
    const client = await fixture.connect('churn-1');
    const reply = await client.execute('migrate', {uri: 'unix:/tmp/x'});
    expect(reply.json.error).toEqual({
      class: 'GenericError',
      desc: "Parameter 'uri' expects a valid migration protocol",
    });
    expect(lastLine()).toMatchObject({
      kind: 'command',
      severity: 'warning',
      origin: 'qmp#1',
      message: "migrate refused: Parameter 'uri' expects a valid migration protocol",
    });
  });

  test("QAPI's argument errors, an unknown command and a VM-state refusal are logged", async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('balloon', {value: 'x'});
    await client.execute('frobnicate');
    await client.execute('migrate', {uri: 'tcp:beta:4444', resume: true});
    fixture.world.command('churn-1', {do: 'power-off', isGraceful: false});
    await client.execute('cont');
    expect(linesOf('qmp#1').filter((line) => line.includes('refused'))).toEqual([
      "balloon refused: Invalid parameter type for 'value', expected: integer",
      'frobnicate refused: The command frobnicate has not been found',
      'migrate refused: Cannot resume if there is no paused migration',
      'cont refused: Resetting the Virtual Machine is required',
    ]);
  });

  test('a refusal the host made and logged is not logged again', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('migrate-set-parameters', {'max-bandwidth': 0});
    await client.execute('migrate', {uri: 'tcp:nowhere:4444'});
    const refusals = linesOf('qmp#1').filter((line) => line.includes('refused'));
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatch(/^migrate-set-parameters refused: max-bandwidth 0B\/s/);
    expect(refusals[1]).toMatch(/^migrate to nowhere refused: /);
  });

  test('protocol before negotiation, malformed input, qmp_capabilities and queries leave no line', async () => {
    const raw = await QmpTestClient.connect(fixture.server.socketPath('churn-1'));
    await raw.reply();
    await raw.execute('stop');
    raw.sendRaw('{"execute": %}\n');
    await raw.reply();
    await raw.execute('qmp_capabilities', {enable: ['oob']});
    await raw.execute('qmp_capabilities');
    await raw.execute('qmp_capabilities');
    raw.sendRaw('{"execute": "stop", "extra": 1}\n');
    await raw.reply();
    await raw.execute('x-query-virtio-status', {path: '/nowhere'});
    await raw.execute('query-frobnicate');
    raw.close();
    expect(linesOf('qmp#1')).toEqual(['QMP client connected (1 connected)']);
  });
});
