import {describe, expect, it, vi} from 'vitest';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {eventsOf, startWorld} from '../helpers/world.js';

/**
 * A config reload that takes away a guest in stop-and-copy: the migration is abandoned and the
 * guest destroyed. QEMU restarts a VM after a failed or cancelled migration only if it is not
 * shutting down (qemu/qemu migration/migration.c migration_iteration_finish: vm_start() unless
 * runstate_check(RUN_STATE_SHUTDOWN)), so nothing of it runs again before it goes.
 */

function inStopAndCopy(): World {
  const guest = {devices: '[{type: blk}]', workload: '{profile: churn, dirtyRate: 4MiB, workingSet: 32MiB}'};
  const running = startWorld(worldYaml([guest]), 31, {seconds: 4, unchecked: true});
  expect(running.migrate('g1', 'uv2').ok).toBe(true);
  const endUs = running.nowUs + 30_000_000;
  while (running.activeMigration('g1')?.snapshot().phase !== 'stop-and-copy') {
    if (running.nowUs >= endUs) throw new Error('g1 never reached stop-and-copy');
    running.advanceBy(1_000);
  }
  return running;
}

const reloads = {
  removes: (config: World['config']) => ({
    ...config,
    guests: config.guests.filter((guest) => guest.name !== 'g1'),
  }),
  recreates: (config: World['config']) => ({
    ...config,
    guests: config.guests.map((guest) =>
      guest.name === 'g1' ? {...guest, memory: guest.memory * 2} : guest,
    ),
  }),
};

describe('a config reload that takes away a guest in stop-and-copy', () => {
  for (const [how, reload] of Object.entries(reloads)) {
    it(`(${how} it) runs none of its waiting work and never says its vCPUs ran again`, () => {
      const running = inStopAndCopy();
      const guest = running.guest('g1')!;
      const released = vi.spyOn(guest.cpu, 'releaseDeferred');
      const seen: string[] = [];
      running.subscribe(() => {
        const now = running.guest('g1');
        if (now === guest) seen.push(`${running.activeMigration('g1')?.status}/${guest.lifecycle.vcpu.kind}`);
      });
      const from = eventsOf(running, 'g1').length;
      running.applyConfig(reload(running.config));
      expect(released).not.toHaveBeenCalled();
      expect(seen).toEqual(['failed/stopped-for-migration']);
      const said = eventsOf(running, 'g1').slice(from);
      expect(said[0]).toMatch(/^migration to uv2 abandoned: the config reload (removes|recreates) g1/);
      expect(said.some((text) => text.startsWith('resumed'))).toBe(false);
    });
  }
});
