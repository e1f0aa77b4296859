import {describe, expect, it} from 'vitest';
import {soak} from '../bench/soak-runner.js';
import {defaultConfig} from './helpers/world.js';

describe('short soak (npm run soak runs the 10-minute one)', () => {
  it.each([1, 2, 3])(
    'seed %i: 30 simulated seconds of random commands and faults keep every invariant and lose nothing',
    async (seed) => {
      const report = await soak({
        config: defaultConfig(),
        seed,
        simulatedSeconds: 30,
        speed: 0,
        warmupSeconds: 5,
      });
      expect(report.commands).toBeGreaterThan(5);
      expect(report.invariantChecks).toBeGreaterThan(report.commands);
      expect(report.integrityErrors).toBe(0);
      expect(report.completedRequests).toBeGreaterThan(1000);
    },
  );
});
