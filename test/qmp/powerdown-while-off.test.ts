import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {lastCommandLine, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

const lastLineOf = (vmName: string) => lastCommandLine(fixture.world, vmName);

const OFF_ANSWER = 'already off; POWERDOWN raised, no guest runs to take the EPOW';

/**
 * QEMU 7.2's qmp_system_powerdown only asks (qemu/qemu monitor/qmp-cmds.c, no run-state check);
 * main_loop_should_exit then raises POWERDOWN and calls the powerdown notifiers
 * (softmmu/runstate.c qemu_system_powerdown), pseries's queueing the EPOW (hw/ppc/spapr_events.c
 * spapr_powerdown_req). On a VM that is off no vCPU runs to take it: it succeeds and stays off.
 */
describe('system_powerdown on a VM already off', () => {
  test('answers {}, raises POWERDOWN, leaves it halted, and logs what happened', async () => {
    fixture.world.crash('churn-1');
    const client = await fixture.connect('churn-1');
    expect((await client.execute('system_powerdown')).json).toEqual({return: {}});
    expect(client.events.map((event) => event.json.event)).toEqual(['POWERDOWN']);
    expect(vm(fixture.world, 'churn-1').state).toBe('halted');
    // Before: no line at all (the last command line was none of this one's).
    expect(lastLineOf('churn-1')).toMatchObject({
      origin: 'qmp#1',
      message: `power-off: ok (${OFF_ANSWER})`,
    });
  });

  test("the host's own answer, as quit's is: one decision for every path", () => {
    fixture.world.crash('churn-1');
    expect(fixture.world.check('churn-1', {do: 'power-off', isGraceful: true})).toEqual({
      ok: true,
      message: OFF_ANSWER,
    });
  });
});
