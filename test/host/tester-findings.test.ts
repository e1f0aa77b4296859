import {describe, expect, it} from 'vitest';
import {decideBalloon} from '../../src/host/balloon-policy.js';
import {runStep} from '../../src/host/command-dispatch.js';
import {previewCommand} from '../../src/host/command-preview.js';
import {BALLOON_PAGE_BYTES} from '../../src/host/virtio/balloon-protocol.js';
import {formatBytes} from '../../src/core/format-units.js';
import type {World} from '../../src/host/world.js';
import {defaultConfig, eventsOf, runChecked, startWorld} from '../helpers/world.js';

/** What an exploratory tester tripped on in the lifecycle and the commands (one regression each). */

function world(seconds = 5): World {
  return startWorld(defaultConfig(), 1, {seconds, unchecked: true});
}

const last = (events: string[], prefix: string) => events.filter((text) => text.startsWith(prefix)).at(-1);

describe('c then m: a migration being cancelled', () => {
  it('migrate while the cancel completes says so, with its own code; migrate works once it stopped', () => {
    const running = world();
    expect(running.migrate('churn-1', 'beta').ok).toBe(true);
    running.advanceBy(200_000);
    expect(runStep(running, {at: 0, do: 'migrate-cancel', vm: 'churn-1'}).ok).toBe(true);
    expect(running.migrate('churn-1', 'beta')).toEqual({
      ok: false,
      code: 'migration-cancelling',
      reason: 'the migration of churn-1 is being cancelled; migrate again when it has stopped',
    });
    expect(previewCommand(running, {kind: 'migrate', vm: 'churn-1', to: null})).toMatchObject({
      ok: false,
      code: 'migration-cancelling',
    });
    runChecked(running, 2);
    expect(running.migrate('churn-1', 'beta').ok).toBe(true);
  });
});

describe('b at the balloon’s upper limit', () => {
  it('answers that it is already at its limit, nothing to change, decided by decideBalloon', () => {
    const running = world();
    const guest = running.guest('churn-1')!;
    const limit = formatBytes(
      (guest.layout.balloonHighestPfn - guest.layout.balloonLowestPfn + 1) * BALLOON_PAGE_BYTES,
    );
    const huge = 2 ** 40;
    runStep(running, {at: 0, do: 'balloon', vm: 'churn-1', target: huge, force: false});
    // tester15 F3: the first answer names the cut (in exact units); formatBytes rounded it away.
    expect(last(eventsOf(running, 'churn-1'), 'balloon:')).toMatch(
      /^balloon: ok \(target \d+MiB, the most its balloon holds \(asked 1048576MiB; /,
    );
    expect(decideBalloon(guest, huge, false).result).toEqual({
      ok: true,
      message: `already at its limit ${limit}, nothing to change`,
    });
    runStep(running, {at: 0, do: 'balloon', vm: 'churn-1', target: huge, force: false});
    expect(last(eventsOf(running, 'churn-1'), 'balloon:')).toBe(
      `balloon: ok (already at its limit ${limit}, nothing to change)`,
    );
  });

  it('B on an empty balloon: the same answer, now decideBalloon’s', () => {
    const running = world();
    expect(decideBalloon(running.guest('churn-1')!, 0, false).result).toEqual({
      ok: true,
      message: 'already at its target 0B, nothing to change',
    });
  });

  it('the workload answer is the transition’s', () => {
    const running = world();
    expect(running.guest('churn-1')!.check({type: 'set-workload', workload: {profile: 'idle'}})).toEqual({
      ok: true,
      message: 'idle from now on',
    });
  });
});

describe('s where svm=on is already set', () => {
  it('booting with svm=on (bootloader): already set, this boot will enter secure mode', () => {
    const running = world(1.5);
    expect(running.secure('legacy-1').ok).toBe(true);
    expect(running.secure('legacy-1')).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; this boot will enter secure mode',
    });
  });

  it('a kexec waiting for cont: already set, kexec into the secure kernel once resumed', () => {
    const running = world();
    running.pause('legacy-1');
    expect(running.secure('legacy-1')).toMatchObject({ok: true});
    expect(running.secure('legacy-1')).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; kexec into the secure kernel once resumed',
    });
    expect(previewCommand(running, {kind: 'secure', vm: 'legacy-1'})).toMatchObject({
      code: 'svm-already-set',
    });
  });
});

describe('migrate while a paused guest is entering secure mode', () => {
  it('says the conversion waits for cont: resume it first', () => {
    const running = world();
    expect(running.getSnapshot().vms.find((v) => v.name === 'web-1')!.security.phase).toBe('convert');
    running.pause('web-1');
    expect(running.check('web-1', {do: 'migrate', to: 'beta', params: {}})).toEqual({
      ok: false,
      code: 'entering-secure',
      reason:
        'web-1 is entering secure mode (convert), which waits while it is paused: resume it, then migrate when it is done',
    });
  });
});

describe('a kexec into svm=on pending: the migration checks treat the guest as secure', () => {
  const noUltravisor = 'delta: KVM implementation does not support Secure VMs (is an ultravisor running?)';
  const secureCannotGo = 'delta has no ultravisor: a secure guest cannot run there';

  it('once resumed (paused): churn-1 cannot go to delta, as a secure guest could not', () => {
    const running = world();
    running.pause('churn-1');
    expect(running.secure('churn-1')).toMatchObject({
      ok: true,
      message: expect.stringContaining('once resumed'),
    });
    expect(running.check('churn-1', {do: 'migrate', to: 'delta', params: {}})).toEqual({
      ok: false,
      code: 'migration-blocked',
      reason: secureCannotGo,
    });
    const delta = running.migrationChecks('churn-1').find((check) => check.host === 'delta')!;
    expect(delta.blockedReasons).toEqual([secureCannotGo]);
    expect(running.migrationChecks('web-1').find((check) => check.host === 'delta')!.blockedReasons).toEqual([
      noUltravisor,
    ]);
  });

  it('under way: refused the same; the dashboard’s target list says so', () => {
    const running = world();
    expect(running.secure('churn-1')).toEqual({
      ok: true,
      message: 'svm=on set; kexec into the secure kernel',
    });
    expect(running.migrate('churn-1', 'delta')).toMatchObject({ok: false, code: 'migration-blocked'});
    const preview = previewCommand(running, {kind: 'migrate', vm: 'churn-1', to: null});
    expect(preview).toMatchObject({ok: true, consequences: []});
    if (!preview.ok) throw new Error('the migrate preview was refused');
    expect(preview.targets.find((target) => target.host === 'delta')).toEqual({
      host: 'delta',
      blockedReasons: [secureCannotGo],
    });
  });
});
