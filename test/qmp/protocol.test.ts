import {describe, expect, test} from 'vitest';
import {QMP_COMMANDS} from '../../src/qmp/qmp-server.js';
import {ARGUMENT_ERRORS, MALFORMED_INPUTS} from './cases.js';
import {advanceUntilSecure, errorOf, returned, useQmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture();

async function raw(vm = 'web-1'): Promise<QmpTestClient> {
  const client = await QmpTestClient.connect(fixture.server.socketPath(vm));
  fixture.clients.push(client);
  return client;
}

describe('session', () => {
  test('commands sent in the same write as qmp_capabilities already raise their events (a script that does not wait)', async () => {
    const client = await raw('churn-1');
    await client.reply();
    client.sendRaw('{"execute": "qmp_capabilities"}\n{"execute": "stop", "id": 1}\n');
    await client.reply();
    expect((await client.reply()).json).toEqual({return: {}, id: 1});
    expect(client.lines.slice(-2).map((line) => JSON.parse(line) as {event?: string})[0]!.event).toBe('STOP');
  });

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
    const cases = [
      ...MALFORMED_INPUTS,
      ['{"exec-oob": "query-name"}\n', "QMP input member 'exec-oob' is unexpected"] as const,
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
    // migrate reads its URI after the VM's state (QEMU 7.2 qmp_migrate: migrate_prepare first), and
    // web-1 is still converting to secure at 3 s.
    await advanceUntilSecure(fixture.world, 'web-1');
    const client = await fixture.connect('web-1');
    const cases = [
      ...ARGUMENT_ERRORS,
      ['migrate', {uri: 'exec:cat'}, "Parameter 'uri' expects a valid migration protocol"],
      ['x-svmtop-set-dma-policy', {policy: 'fast'}, "Parameter 'policy' does not accept value 'fast'"],
    ] as const;
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
    // A round trip on the quiet client: an event sent to it by then would have come before this reply.
    expect(errorOf(await quiet.execute('query-status')).class).toBe('CommandNotFound');
    expect(listener.events.map((event) => event.json.event)).toEqual(['STOP', 'RESUME']);
    expect(quiet.events).toEqual([]);
  });
});
