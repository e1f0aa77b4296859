import {describe, expect, test} from 'vitest';
import {JSON_MESSAGE_BYTES_MAX} from '../../src/qmp/json-streamer.js';
import {QMP_CLIENTS_PER_SOCKET_MAX, QMP_PENDING_OUTPUT_BYTES_MAX} from '../../src/qmp/vm-monitor.js';
import {vm} from '../helpers/world.js';
import {advance, errorOf, returned, settle, useQmpFixture} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture();

describe('bounds', () => {
  test('a 1 MiB line is answered; a longer one gets one error and the session goes on', async () => {
    const client = await fixture.connect('web-1');
    const id = 'i'.repeat(JSON_MESSAGE_BYTES_MAX - 64);
    const reply = await client.execute('query-name', undefined, id);
    expect(reply.json.id).toBe(id);
    client.sendRaw(`{"execute": "query-name", "id": "${'j'.repeat(JSON_MESSAGE_BYTES_MAX)}"}\n`);
    expect(errorOf(await client.reply())).toEqual({
      class: 'GenericError',
      desc: 'JSON token size limit exceeded',
    });
    expect(returned(await client.execute('query-name'))).toEqual({name: 'web-1'});
  });

  test('50 clients at once on one VM each negotiate, command, and get the events', async () => {
    const clients = await Promise.all(Array.from({length: 50}, () => fixture.connect('churn-1')));
    const names = await Promise.all(
      clients.map(async (client) => returned(await client.execute('query-name'))),
    );
    expect(names).toEqual(clients.map(() => ({name: 'churn-1'})));
    expect(fixture.server.clientCount).toBe(50);
    await clients[7]!.execute('stop');
    await Promise.all(clients.map((client) => client.event((event) => event.json.event === 'STOP')));
    await clients[7]!.execute('cont');
  });

  test(`past ${QMP_CLIENTS_PER_SOCKET_MAX} clients on a socket, the next is told why and closed`, async () => {
    await Promise.all(Array.from({length: QMP_CLIENTS_PER_SOCKET_MAX}, () => fixture.connect('db-1')));
    const extra = await QmpTestClient.connect(fixture.server.socketPath('db-1'));
    const reply = await extra.reply();
    expect(errorOf(reply).desc).toBe(`too many QMP clients on db-1 (limit ${QMP_CLIENTS_PER_SOCKET_MAX})`);
    await extra.closed();
  });

  test('a client that never reads is cut off; the world keeps running and another client notices nothing', async () => {
    const reader = await fixture.connect('churn-1');
    const stuck = await fixture.connect('churn-1');
    stuck.socket.pause();
    // Ask for large replies (each about 1 MiB) without ever reading them.
    const bigId = 'z'.repeat(JSON_MESSAGE_BYTES_MAX - 64);
    const request = `{"execute": "query-name", "id": "${bigId}"}\n`;
    const startUs = fixture.world.nowUs;
    for (let round = 0; round < 40 && !stuck.isClosed && fixture.server.clientCount === 2; round++) {
      stuck.sendRaw(request);
      await advance(fixture.world, 0.05);
      await settle();
    }
    await stuck.closed();
    expect(fixture.server.clientCount).toBe(1);
    expect(fixture.world.nowUs).toBeGreaterThan(startUs);
    const notices = fixture.world.events.recent(100, 'churn-1').filter((event) => event.kind === 'qmp');
    expect(notices.some((event) => event.message.includes(`limit ${QMP_PENDING_OUTPUT_BYTES_MAX}`))).toBe(
      true,
    );
    await reader.execute('stop');
    await reader.execute('cont');
    expect(returned(await reader.execute('query-status'))).toMatchObject({status: 'running'});
    expect(reader.events.map((event) => event.json.event)).toEqual(['STOP', 'RESUME']);
    expect(vm(fixture.world, 'churn-1').state).not.toBe('halted');
  });
});
