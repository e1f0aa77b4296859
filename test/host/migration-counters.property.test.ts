import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ramCounterProblems} from '../../src/host/migration/ram-consistency.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, startWorld, vm} from '../helpers/world.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';

// query-migrate's RAM counters relate as QEMU's do (qemu/qemu migration/ram.c save_zero_page,
// save_normal_page, ram_save_iterate; migration/migration.c populate_ram_info): whatever the guest
// dirties, however fast the link, secure or not, cancelled or completed, at every instant.
describe('query-migrate counters (property, seeded)', () => {
  it('add up at every instant of any migration', CPU_BOUND, () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({min: 0, max: 2 ** 31}),
          dirtyMiB: fc.constantFrom(1, 16, 96, 192, 512),
          workingSetMiB: fc.constantFrom(8, 64, 256),
          isSecure: fc.boolean(),
          bandwidthMiB: fc.constantFrom(32, 128, 1024),
          autoConverge: fc.boolean(),
          cancelAtMs: fc.option(fc.integer({min: 0, max: 6000}), {nil: undefined}),
        }),
        (run) => {
          const config = configFromYaml(
            worldYaml([
              {
                memory: '1GiB',
                devices: '[{type: blk}]',
                svm: run.isSecure,
                policy: run.isSecure ? 'force-dma-api' : 'legacy',
                workload: `{profile: churn, dirtyRate: ${run.dirtyMiB}MiB, workingSet: ${run.workingSetMiB}MiB}`,
                extra: '    resident: 384MiB\n',
              },
            ]),
          );
          const world = startWorld(config, run.seed, {seconds: 10, unchecked: true});
          const started = world.migrate('g1', 'uv2', {
            maxBandwidthBytesPerSecond: BigInt(run.bandwidthMiB << 20),
            autoConverge: run.autoConverge,
          });
          expect(started.ok).toBe(true);
          let transferred = 0;
          for (let ms = 0; ms < 12_000; ms += 37) {
            if (run.cancelAtMs !== undefined && ms === run.cancelAtMs - (run.cancelAtMs % 37))
              world.migrateCancel('g1');
            world.advanceBy(37_000);
            const migration = vm(world, 'g1').migration!;
            const problems = ramCounterProblems(migration);
            if (problems.length > 0)
              throw new Error(`seed ${run.seed} at ${ms} ms (${migration.status}): ${problems.join('; ')}`);
            expect(migration.ram.transferred).toBeGreaterThanOrEqual(transferred);
            transferred = migration.ram.transferred;
            if (!run.isSecure) expect(migration.encryptedPages).toBe(0);
          }
        },
      ),
      {numRuns: 20},
    );
  });
});
