import {describe, expect, it} from 'vitest';
import {worldYaml} from '../helpers/guest-yaml.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';
import {configFromYaml, runChecked, startWorld, vm} from '../helpers/world.js';

// #13 item 13: FAULT dropped from 1 to 0 after a migration while FAIL stayed: the destination's
// devices are new, their counters were not carried. A device's counters count the VM's whole
// life, reboots and migrations included, every counter alike.
describe("device counters count the VM's life", () => {
  it(
    'survive a migration: faults, bytes, failures and completions go on from where they were',
    CPU_BOUND,
    () => {
      const config = configFromYaml(
        worldYaml([
          {
            svm: true,
            policy: 'legacy',
            workload: 'web',
            devices: '[{type: net, iommu: on}, {type: blk, iommu: on}, {type: console}]',
          },
        ]),
      );
      const world = startWorld(config, 51, {seconds: 12});
      const before = vm(world, 'g1').devices;
      const console = before.find((device) => device.type === 'console')!;
      expect(console.faults).toBeGreaterThan(0);
      expect(world.migrate('g1', 'uv2').ok).toBe(true);
      runChecked(world, 20);
      expect(vm(world, 'g1')).toMatchObject({
        host: 'uv2',
        migration: expect.objectContaining({status: 'completed'}),
      });
      const after = vm(world, 'g1').devices;
      before.forEach((device, index) => {
        const moved = after[index]!;
        for (const counter of ['faults', 'failed', 'completed', 'bytesToDevice', 'bytesFromDevice'] as const)
          expect(moved[counter], `${device.id} ${counter}`).toBeGreaterThanOrEqual(device[counter]);
      });
    },
  );
});
