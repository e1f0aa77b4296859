import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {lastCommandLine, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

const lastLineOf = (vmName: string) => lastCommandLine(fixture.world, vmName);

/**
 * QEMU's qmp_quit asks for a shutdown whatever the run state (qemu/qemu monitor/qmp-cmds.c
 * qmp_quit), and main_loop_should_exit raises SHUTDOWN and exits (softmmu/runstate.c). svmtop's
 * quit is the host's immediate power-off either way, logged by the world's one command path.
 */
describe('quit goes through the world, running or off, under one name', () => {
  test('on a running VM: halted, logged as quit (before: power-off (immediate): ok)', async () => {
    const client = await fixture.connect('legacy-1');
    expect((await client.execute('quit')).json).toEqual({return: {}});
    expect(vm(fixture.world, 'legacy-1').state).toBe('halted');
    expect(lastLineOf('legacy-1')).toMatchObject({origin: 'qmp#1', message: 'quit: ok'});
  });

  test("on a VM already off: the host's own answer, and the world tells its watchers as after every command", async () => {
    fixture.world.crash('churn-1');
    expect(fixture.world.check('churn-1', {do: 'power-off', isGraceful: false})).toEqual({
      ok: true,
      message: 'already off; QEMU quits all the same',
    });
    let changes = 0;
    const unsubscribe = fixture.world.subscribe(() => changes++);
    const client = await fixture.connect('churn-1');
    expect((await client.execute('quit')).json).toEqual({return: {}});
    unsubscribe();
    expect(changes).toBeGreaterThan(0);
    expect(lastLineOf('churn-1')).toMatchObject({
      message: 'quit: ok (already off; QEMU quits all the same)',
    });
    expect(client.events.map((event) => [event.json.event, event.json.data])).toEqual([
      ['SHUTDOWN', {guest: false, reason: 'host-qmp-quit'}],
    ]);
  });
});
