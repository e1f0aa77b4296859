import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {runStep} from '../../src/host/command-dispatch.js';
import type {ScenarioStep} from '../../src/host/config/scenario-schema.js';
import {DMA_POLICIES} from '../../src/host/config/world-schema.js';
import {checkInvariants} from '../../src/host/invariants.js';
import {World} from '../../src/host/world.js';
import {defaultConfig} from '../helpers/world.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';

const config = defaultConfig();
const vms = config.guests.map((guest) => guest.name);
const hosts = config.hosts.map((host) => host.name);

const stepArbitrary: fc.Arbitrary<Omit<ScenarioStep, 'at'> & {pause: number}> = fc
  .oneof(
    fc.record({
      do: fc.constantFrom('pause', 'resume', 'reboot', 'secure', 'unsecure', 'migrate-cancel'),
      vm: fc.constantFrom(...vms),
    }),
    fc.record({
      do: fc.constant('balloon'),
      vm: fc.constantFrom(...vms),
      target: fc.constantFrom(0, 256 << 20, 1 << 30),
      force: fc.boolean(),
    }),
    fc.record({
      do: fc.constant('policy'),
      vm: fc.constantFrom(...vms),
      policy: fc.constantFrom(...DMA_POLICIES),
    }),
    fc.record({
      do: fc.constant('workload'),
      vm: fc.constantFrom(...vms),
      workload: fc.constantFrom('idle', 'web', 'db', 'stream', 'churn'),
    }),
    fc.record({
      do: fc.constant('migrate'),
      vm: fc.constantFrom(...vms),
      to: fc.constantFrom(...hosts),
      maxBandwidth: fc.constantFrom(256 << 20, 1 << 30),
    }),
    fc.record({
      do: fc.constant('migrate-set-parameters'),
      vm: fc.constantFrom(...vms),
      maxBandwidth: fc.constantFrom(64 << 20, 512 << 20),
      downtimeLimitMs: fc.constantFrom(100, 2000),
    }),
    fc.record({do: fc.constant('migrate-restart'), vm: fc.constantFrom(...vms), autoConverge: fc.boolean()}),
    fc.record({
      do: fc.constant('fault'),
      kind: fc.constantFrom('crash', 'malformed-chain', 'swiotlb-exhaustion', 'key-exchange'),
      vm: fc.constantFrom(...vms),
    }),
    fc.record({
      do: fc.constant('fault'),
      kind: fc.constantFrom('link-down', 'link-up'),
      hosts: fc.constantFrom(['alpha', 'beta'] as [string, string], ['alpha', 'delta'] as [string, string]),
    }),
  )
  .chain((step) => fc.nat(3000).map((pause) => ({...(step as Omit<ScenarioStep, 'at'>), pause})));

/**
 * The two host worlds' rule (DESIGN §2.6): on a mainline host KVM runs secure only VMs started
 * with confidential guest support, so "secure (undeclared)" can only be seen on the 2018-era stack.
 */
function worldRules(world: World): string[] {
  const problems: string[] = [];
  for (const guest of world.guests.values())
    if (guest.isSecure && guest.host.stack === 'mainline' && !guest.hasConfidentialGuestSupport)
      problems.push(
        `${guest.name}: secure on mainline host ${guest.host.name} without confidential guest support`,
      );
  return problems;
}

describe('random command sequences (seeded) keep DESIGN §6’s invariants after every step', () => {
  it('holds for any sequence', CPU_BOUND, () => {
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: 2 ** 31}),
        fc.array(stepArbitrary, {minLength: 1, maxLength: 12}),
        (seed, steps) => {
          const world = new World(config, {seed});
          world.start();
          world.advanceTo(3_000_000);
          for (const step of steps) {
            runStep(world, {...step, at: world.nowUs} as ScenarioStep);
            world.advanceBy(step.pause * 1000);
            const problems = [...checkInvariants(world), ...worldRules(world)];
            if (problems.length > 0)
              throw new Error(`seed ${seed}, after ${JSON.stringify(step)}: ${problems.join('; ')}`);
          }
          world.advanceBy(5_000_000);
          expect(checkInvariants(world)).toEqual([]);
        },
      ),
      {numRuns: 25},
    );
  });
});
