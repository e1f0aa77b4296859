import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {QMP_COMMANDS} from '../../src/qmp/qmp-server.js';
import {errorOf, returned, settle, startQmpFixture, type QmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

let fixture: QmpFixture;
beforeEach(async () => {
  fixture = await startQmpFixture();
});
afterEach(async () => fixture.close());

async function raw(vm = 'web-1'): Promise<QmpTestClient> {
  const client = await QmpTestClient.connect(fixture.server.socketPath(vm));
  fixture.clients.push(client);
  return client;
}

describe('session', () => {
  test('greets with the version and no capabilities, and wants qmp_capabilities first', async () => {
    const client = await raw();
    const greeting = await client.reply();
    expect(greeting.raw).toBe(
      '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "svmtop 0.1.0"}, "capabilities": []}}',
    );
    expect(errorOf(await client.execute('query-version'))).toEqual({
      class: 'CommandNotFound',
      desc: "Expecting capabilities negotiation with 'qmp_capabilities'",
    });
    expect(errorOf(await client.execute('qmp_capabilities', {enable: ['oob']})).desc).toBe(
      'Capability oob not available',
    );
    expect(returned(await client.execute('qmp_capabilities'))).toEqual({});
    expect(errorOf(await client.execute('qmp_capabilities'))).toEqual({
      class: 'CommandNotFound',
      desc: 'Capabilities negotiation is already complete, command ignored',
    });
    expect(returned(await client.execute('query-version'))).toEqual({
      qemu: {micro: 0, minor: 2, major: 7},
      package: 'svmtop 0.1.0',
    });
  });

  test('every line ends in CRLF and the id comes back whatever its JSON type', async () => {
    const client = await raw();
    const chunks: string[] = [];
    client.socket.on('data', (text: string) => chunks.push(text));
    await client.reply();
    await client.execute('qmp_capabilities');
    for (const id of ['cookie#1', 2, 1.5, true, null, [1, {a: 'b'}], {nested: {deep: [null]}}]) {
      const reply = await client.execute('query-name', undefined, id);
      expect(reply.json).toEqual({return: {name: 'web-1'}, id});
    }
    const failed = await client.execute('no-such-command', undefined, 'x');
    expect(failed.json).toEqual({
      id: 'x',
      error: {class: 'CommandNotFound', desc: 'The command no-such-command has not been found'},
    });
    const text = chunks.join('');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').every((line) => !line.includes('\n'))).toBe(true);
  });

  test("malformed input gets QEMU's GenericError and the connection keeps working (tests/qtest/qmp-test.c)", async () => {
    const client = await fixture.connect('web-1');
    const cases: Array<[string | Buffer, string]> = [
      ['{]\n', 'JSON parse error, expecting value'],
      [Buffer.from('{\xff', 'latin1'), "JSON parse error, stray '\uFFFD'"],
      [Buffer.from('{\x01', 'latin1'), "JSON parse error, stray '\x01'"],
      [Buffer.from("{'bad \xff", 'latin1'), "JSON parse error, stray ''bad \uFFFD'"],
      ["{'execute': 'nonexistent', 'id':'\n", "JSON parse error, stray ''\n'"],
      ['%p', "JSON parse error, stray '%'"],
      ['null\n', 'QMP input must be a JSON object'],
      ['{}\n', "QMP input lacks member 'execute'"],
      ["{ 'execute': true }\n", "QMP input member 'execute' must be a string"],
      ["{ 'execute': 'no-such-cmd', 'arguments': [] }\n", "QMP input member 'arguments' must be an object"],
      ["{ 'execute': 'no-such-cmd', 'extra': true }\n", "QMP input member 'extra' is unexpected"],
      ['{"exec-oob": "query-name"}\n', "QMP input member 'exec-oob' is unexpected"],
    ];
    for (const [input, desc] of cases) {
      client.sendRaw(input);
      expect(errorOf(await client.reply()), JSON.stringify(input.toString())).toEqual({
        class: 'GenericError',
        desc,
      });
      expect(errorOf(await client.execute('no-such-cmd')).class).toBe('CommandNotFound');
    }
  });

  test("arguments are checked as QAPI does, with QEMU's texts", async () => {
    const client = await fixture.connect('web-1');
    const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
      ['balloon', undefined, "Parameter 'value' is missing"],
      ['balloon', {value: 'x'}, "Invalid parameter type for 'value', expected: integer"],
      ['balloon', {value: 1.5}, "Invalid parameter type for 'value', expected: integer"],
      ['balloon', {value: 1, z: 2}, "Parameter 'z' is unexpected"],
      ['balloon', {value: -1}, "Parameter 'target' expects a size"],
      ['query-status', {a: 1}, "Parameter 'a' is unexpected"],
      ['migrate', {}, "Parameter 'uri' is missing"],
      ['migrate', {uri: 'exec:cat'}, "Parameter 'uri' expects a valid migration protocol"],
      [
        'migrate-set-capabilities',
        {capabilities: {}},
        "Invalid parameter type for 'capabilities', expected: array",
      ],
      [
        'migrate-set-capabilities',
        {capabilities: [{capability: 'events'}]},
        "Parameter 'capabilities[0].state' is missing",
      ],
      [
        'migrate-set-capabilities',
        {capabilities: [{capability: 'nosuch', state: true}]},
        "Parameter 'capability' does not accept value 'nosuch'",
      ],
      [
        'migrate-set-capabilities',
        {capabilities: [{capability: 'events', state: 1}]},
        "Invalid parameter type for 'capabilities[0].state', expected: boolean",
      ],
      ['migrate-set-parameters', {'max-bandwidth': 'x'}, "Parameter 'max-bandwidth' expects uint64"],
      [
        'migrate-set-parameters',
        {'cpu-throttle-initial': 300},
        "Parameter 'cpu-throttle-initial' expects uint8_t",
      ],
      [
        'migrate-set-parameters',
        {'cpu-throttle-initial': 0},
        "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
      ],
      [
        'migrate-set-parameters',
        {'downtime-limit': 2000001},
        "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
      ],
      [
        'migrate-set-parameters',
        {'max-cpu-throttle': 10},
        "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
      ],
      ['x-query-virtio-status', {path: 3}, "Invalid parameter type for 'path', expected: string"],
      ['x-query-virtio-status', {path: '/nope'}, 'Path /nope is not a VirtIODevice'],
      ['x-svmtop-set-dma-policy', {policy: 'fast'}, "Parameter 'policy' does not accept value 'fast'"],
    ];
    for (const [command, args, desc] of cases)
      expect(errorOf(await client.execute(command, args)), command).toEqual({class: 'GenericError', desc});
  });

  test('query-commands lists every command, each answers, and x-svmtop- marks the ones QEMU lacks', async () => {
    const client = await fixture.connect('churn-1');
    const names = returned<Array<{name: string}>>(await client.execute('query-commands')).map(
      ({name}) => name,
    );
    expect(names).toEqual([...QMP_COMMANDS.keys()]);
    const qemuNames = names.filter((name) => !name.startsWith('x-svmtop-'));
    expect(qemuNames).toEqual(expect.arrayContaining(['query-status', 'migrate', 'x-query-virtio-status']));
    for (const name of ['query-name', 'query-version', 'query-cpus-fast', 'query-migrate-parameters'])
      expect('return' in (await client.execute(name)).json).toBe(true);
    expect(returned<unknown[]>(await client.execute('query-cpus-fast'))).toHaveLength(4);
  });

  test('a client that has not negotiated gets no events', async () => {
    const quiet = await raw('churn-1');
    await quiet.reply();
    const listener = await fixture.connect('churn-1');
    await listener.execute('stop');
    await listener.execute('cont');
    await settle();
    expect(listener.events.map((event) => event.json.event)).toEqual(['STOP', 'RESUME']);
    expect(quiet.events).toEqual([]);
  });
});
