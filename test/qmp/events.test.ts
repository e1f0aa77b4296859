import {describe, expect, test} from 'vitest';
import {BALLOON_CHANGE_INTERVAL_US} from '../../src/qmp/event-watcher.js';
import {vm} from '../helpers/world.js';
import {
  advance,
  advanceUntil,
  advanceUntilSecure,
  EPOCH_US,
  errorOf,
  eventNames,
  returned,
  useQmpFixture,
} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture();

const status = async (client: QmpTestClient) =>
  returned<{status: string; running: boolean}>(await client.execute('query-status')).status;

describe('run state and its events', () => {
  test('stop and cont raise STOP and RESUME before their replies, stamped with simulated time', async () => {
    const client = await fixture.connect('churn-1');
    client.send({execute: 'stop', id: 'a'});
    await client.reply();
    expect(client.lines.at(-2)).toBe(
      `{"timestamp": {"seconds": ${Math.floor((EPOCH_US + fixture.world.nowUs) / 1e6)}, "microseconds": ${(EPOCH_US + fixture.world.nowUs) % 1e6}}, "event": "STOP"}`,
    );
    expect(client.lines.at(-1)).toBe('{"return": {}, "id": "a"}');
    expect(await status(client)).toBe('paused');
    expect(returned(await client.execute('stop'))).toEqual({});
    await client.execute('cont');
    expect(await status(client)).toBe('running');
    expect(eventNames(client)).toEqual(['STOP', 'RESUME']);
  });

  test('system_reset raises RESET (host) and the VM boots again; a reboot from elsewhere is a guest reset', async () => {
    const client = await fixture.connect('legacy-1');
    await client.execute('system_reset');
    expect(client.events[0]!.json.data).toEqual({guest: false, reason: 'host-qmp-system-reset'});
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'legacy-1').state === 'running',
      10,
      'the reboot',
    );
    fixture.world.reboot('legacy-1');
    await advanceUntil(fixture.world, () => client.events.length > 1, 5, 'a RESET');
    expect(client.events.map((event) => event.json.data)).toEqual([
      {guest: false, reason: 'host-qmp-system-reset'},
      {guest: true, reason: 'guest-reset'},
    ]);
  });

  test('system_powerdown: POWERDOWN, then the guest shuts down (SHUTDOWN, STOP); cont needs a reset', async () => {
    const client = await fixture.connect('legacy-1');
    await client.execute('system_powerdown');
    expect(eventNames(client)[0]).toBe('POWERDOWN');
    await advanceUntil(fixture.world, () => client.events.length >= 3, 5, 'the shutdown');
    expect(client.events.slice(1).map((event) => [event.json.event, event.json.data])).toEqual([
      ['SHUTDOWN', {guest: true, reason: 'guest-shutdown'}],
      ['STOP', undefined],
    ]);
    expect(await status(client)).toBe('shutdown');
    expect(errorOf(await client.execute('cont')).desc).toBe('Resetting the Virtual Machine is required');
    // Reset while not running: held in prelaunch until cont, as QEMU 7.2 (main_loop_should_exit).
    await client.execute('system_reset');
    await advance(fixture.world, 0.2);
    expect(await status(client)).toBe('prelaunch');
    expect(eventNames(client).slice(3)).toEqual(['RESET']);
    await client.execute('cont');
    expect(await status(client)).toBe('running');
    expect(eventNames(client).slice(3)).toEqual(['RESET', 'RESUME']);
  });

  test('quit: SHUTDOWN (host-qmp-quit), the reply, then the connection closes; the socket stays', async () => {
    const client = await fixture.connect('legacy-1');
    const other = await fixture.connect('legacy-1');
    const reply = await client.execute('quit', undefined, 'bye');
    expect(reply.json).toEqual({return: {}, id: 'bye'});
    // No STOP: QEMU's vm_shutdown stops without it (softmmu/cpus.c); QEMU 7.2 checked.
    expect(client.events.map((event) => [event.json.event, event.json.data])).toEqual([
      ['SHUTDOWN', {guest: false, reason: 'host-qmp-quit'}],
    ]);
    await client.closed();
    await other.closed();
    expect(vm(fixture.world, 'legacy-1').state).toBe('halted');
    const again = await fixture.connect('legacy-1');
    expect(await status(again)).toBe('shutdown');
  });

  test("quit on a VM already halted still says SHUTDOWN (host-qmp-quit) and hides nothing later: the guest's own SHUTDOWN after a power-down comes through", async () => {
    const watcher = await fixture.connect('churn-1');
    fixture.world.crash('churn-1');
    await watcher.event((event) => event.json.event === 'STOP');
    const quitter = await fixture.connect('churn-1');
    expect((await quitter.execute('quit')).json).toEqual({return: {}});
    expect(quitter.events.map((event) => [event.json.event, event.json.data])).toEqual([
      ['SHUTDOWN', {guest: false, reason: 'host-qmp-quit'}],
    ]);
    // Every QMP command is logged with its origin, this one too.
    expect(fixture.world.events.recent(5, 'churn-1').at(-1)).toMatchObject({
      kind: 'command',
      origin: 'qmp#2',
      message: 'quit: ok (already off; QEMU quits all the same)',
    });
    await Promise.all([watcher.closed(), quitter.closed()]);
    const client = await fixture.connect('churn-1');
    await client.execute('system_reset');
    await client.execute('cont');
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'churn-1').state === 'running',
      10,
      'the reset',
    );
    await client.execute('system_powerdown');
    await advanceUntil(fixture.world, () => eventNames(client).includes('STOP'), 5, 'the shutdown');
    expect(client.events.map((event) => [event.json.event, event.json.data]).slice(-3)).toEqual([
      ['POWERDOWN', undefined],
      ['SHUTDOWN', {guest: true, reason: 'guest-shutdown'}],
      ['STOP', undefined],
    ]);
  });

  test('a kernel panic raises GUEST_PANICKED (pause) and STOP', async () => {
    const client = await fixture.connect('churn-1');
    fixture.world.crash('churn-1');
    await client.event((event) => event.json.event === 'STOP');
    expect(client.events.map((event) => [event.json.event, event.json.data])).toEqual([
      ['GUEST_PANICKED', {action: 'pause'}],
      ['STOP', undefined],
    ]);
    expect(await status(client)).toBe('guest-panicked');
  });
});

describe('balloon', () => {
  test('balloon sets the guest size and BALLOON_CHANGE reports it, at most once a simulated second', async () => {
    const client = await fixture.connect('churn-1');
    const ramBytes = vm(fixture.world, 'churn-1').memoryBytes;
    const targetBytes = ramBytes - 2 * 2 ** 30;
    expect(returned(await client.execute('query-balloon'))).toEqual({actual: ramBytes});
    expect(returned(await client.execute('balloon', {value: targetBytes}))).toEqual({});
    const startUs = fixture.world.nowUs;
    const isAtTarget = () =>
      client.events.some(
        (event) => (event.json.data as {actual?: number} | undefined)?.actual === targetBytes,
      );
    await advanceUntil(fixture.world, isAtTarget, 20, 'the balloon to reach its target');
    const changes = client.events.filter((event) => event.json.event === 'BALLOON_CHANGE');
    expect(changes.length).toBeGreaterThan(1);
    expect(changes.length).toBeLessThanOrEqual(
      Math.ceil((fixture.world.nowUs - startUs) / BALLOON_CHANGE_INTERVAL_US) + 1,
    );
    expect(returned(await client.execute('query-balloon'))).toEqual({actual: targetBytes});
    expect(vm(fixture.world, 'churn-1').balloon!.actualBytes).toBe(2 * 2 ** 30);
  });

  test("QEMU's DeviceNotActive without a balloon; a secure guest's balloon only with x-svmtop-balloon force", async () => {
    const batch = await fixture.connect('batch-1');
    expect(errorOf(await batch.execute('query-balloon'))).toEqual({
      class: 'DeviceNotActive',
      desc: 'No balloon device has been activated',
    });
    const rfc = await fixture.connect('rfc-1');
    await advanceUntilSecure(fixture.world, 'rfc-1');
    expect(errorOf(await rfc.execute('balloon', {value: 1 * 2 ** 30})).desc).toMatch(
      /secure.*reclaims nothing/,
    );
    expect(returned(await rfc.execute('x-svmtop-balloon', {value: 1 * 2 ** 30, force: true}))).toEqual({});
    expect(vm(fixture.world, 'rfc-1').balloon!.targetBytes).toBe(2 ** 30);
  });
});

describe('svmtop extensions', () => {
  test('x-svmtop-secure turns a guest secure (X_SVMTOP_SECURITY_CHANGE), x-svmtop-unsecure back', async () => {
    const client = await fixture.connect('rogue-1');
    const legacy = await fixture.connect('legacy-1');
    await advanceUntil(fixture.world, () => vm(fixture.world, 'legacy-1').state === 'running', 10, 'boot');
    expect(returned(await legacy.execute('x-svmtop-secure'))).toEqual({});
    await advanceUntilSecure(fixture.world, 'legacy-1');
    const security = legacy.events.filter((event) => event.json.event === 'X_SVMTOP_SECURITY_CHANGE');
    expect(security.map((event) => event.json.data)).toEqual([{state: 'transitioning'}, {state: 'secure'}]);
    expect(returned(await legacy.execute('x-svmtop-query-security'))).toMatchObject({
      state: 'secure',
      svm: true,
      host: 'epsilon',
      declared: 'none',
    });
    expect(returned(await legacy.execute('x-svmtop-query-swiotlb'))).toMatchObject({nslabs: 512});
    expect(returned(await legacy.execute('x-svmtop-unsecure'))).toEqual({});
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'legacy-1').security.state === 'normal',
      30,
      'normal',
    );
    expect(errorOf(await client.execute('x-svmtop-query-swiotlb')).desc).toMatch(/no swiotlb pool/);
  });

  test('a script using only QMP makes every transition the keyboard makes', async () => {
    const client = await fixture.connect('churn-1');
    const world = fixture.world;
    const steps: Array<[string, Record<string, unknown> | undefined, () => boolean]> = [
      ['stop', undefined, () => vm(world, 'churn-1').state === 'paused'], // p
      ['cont', undefined, () => vm(world, 'churn-1').state !== 'paused'], // p
      ['balloon', {value: 7 * 2 ** 30}, () => vm(world, 'churn-1').balloon!.targetBytes === 2 ** 30], // b
      ['balloon', {value: 8 * 2 ** 30}, () => vm(world, 'churn-1').balloon!.targetBytes === 0], // B
      [
        'x-svmtop-set-dma-policy',
        {policy: 'force-dma-api'},
        () => vm(world, 'churn-1').dmaPolicy === 'force-dma-api',
      ], // P
      ['x-svmtop-set-workload', {workload: 'idle'}, () => vm(world, 'churn-1').workload === 'idle'], // w
      ['system_reset', undefined, () => eventNames(client).includes('RESET')], // r
      ['x-svmtop-secure', undefined, () => vm(world, 'churn-1').svm], // s
      ['x-svmtop-unsecure', undefined, () => !vm(world, 'churn-1').svm], // u
      ['migrate', {uri: 'tcp:beta:4444'}, () => vm(world, 'churn-1').migration?.status === 'setup'], // m
      ['migrate_cancel', undefined, () => vm(world, 'churn-1').migration?.status === 'cancelling'], // c
    ];
    for (const [command, args, isDone] of steps) {
      if (command === 'migrate')
        await advanceUntil(
          world,
          () => vm(world, 'churn-1').state === 'running',
          20,
          'boot before migrating',
        );
      expect(returned(await client.execute(command, args)), command).toEqual({});
      expect(isDone(), command).toBe(true);
    }
    // While the cancel completes the picker (and so the query) says so; once it stopped, every host.
    await advanceUntil(world, () => vm(world, 'churn-1').migration?.status === 'cancelled', 10, 'cancel');
    const targets = returned<Array<{host: string; 'blocked-reasons': string[]}>>(
      await client.execute('x-svmtop-query-migrate-targets'),
    );
    expect(targets).toEqual(
      world
        .migrationChecks('churn-1')
        .map((check) => ({host: check.host, 'blocked-reasons': check.blockedReasons})),
    );
    const fromQmp = world.events.recent(1000, 'churn-1').filter((event) => event.kind === 'command');
    expect(fromQmp.length).toBeGreaterThanOrEqual(steps.length - 2);
    expect(fromQmp.every((event) => event.origin === 'qmp#1')).toBe(true);
  });
});
