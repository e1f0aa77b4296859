import {describe, expect, it} from 'vitest';
import {PEF_MIGRATION_BLOCKER, vmMigrationBlockers} from '../../src/host/migration/migration-blockers.js';
import type {World} from '../../src/host/world.js';
import {worldYaml, type TestGuest} from '../helpers/guest-yaml.js';
import {startWorld} from '../helpers/world.js';

function world(guest: Partial<TestGuest>, stack: 'mainline' | '2018'): World {
  return startWorld(worldYaml([{devices: '[]', workload: 'idle', ...guest}], '', stack), 7, {seconds: 12});
}

/** The VM's own blockers, and a check that every one is among the reasons to each other host. */
function ownBlockers(running: World): string[] {
  const own = vmMigrationBlockers(running.guest('g1')!);
  for (const check of running.migrationChecks('g1'))
    for (const reason of own) expect(check.blockedReasons, check.host).toContain(reason);
  return own;
}

describe('vmMigrationBlockers: the blockers of the VM whatever the destination (what query-migrate lists)', () => {
  it("a pef-guest on a mainline host without secure migration carries pef.c's blocker, secure or not", () => {
    expect(ownBlockers(world({host: 'oldqemu', declared: 'allowed', svm: false}, 'mainline'))).toEqual([
      PEF_MIGRATION_BLOCKER,
    ]);
    expect(ownBlockers(world({host: 'oldqemu', declared: 'required', svm: true}, 'mainline'))).toEqual([
      PEF_MIGRATION_BLOCKER,
    ]);
  });

  it('none on a host with secure migration, and none for a VM without confidential guest support', () => {
    expect(ownBlockers(world({host: 'uv1', declared: 'allowed', svm: true}, 'mainline'))).toEqual([]);
    expect(ownBlockers(world({host: 'oldqemu', declared: 'none', svm: false}, 'mainline'))).toEqual([]);
  });

  it('the 2018-era stack: a secure guest on a host without secure migration, not a normal one', () => {
    expect(ownBlockers(world({host: 'oldqemu', svm: true}, '2018'))).toEqual([
      'oldqemu cannot migrate secure guests (no secure migration)',
    ]);
    expect(ownBlockers(world({host: 'oldqemu', svm: false}, '2018'))).toEqual([]);
    expect(ownBlockers(world({host: 'uv1', svm: true}, '2018'))).toEqual([]);
  });

  it("per-destination reasons are not the VM's: a destination without room or ultravisor, a link down", () => {
    const running = world({host: 'uv1', svm: true}, '2018');
    running.setLinkDown('uv1', 'uv2', true);
    const checks = running.migrationChecks('g1');
    expect(checks.find((check) => check.host === 'uv2')!.blockedReasons).toEqual(['link uv1-uv2 is down']);
    expect(checks.find((check) => check.host === 'plain')!.blockedReasons.length).toBeGreaterThan(0);
    expect(vmMigrationBlockers(running.guest('g1')!)).toEqual([]);
  });
});
