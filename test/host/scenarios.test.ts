import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {runHeadless} from '../../src/headless.js';
import {ROOT} from '../helpers/cli.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';
import {defaultConfig} from '../helpers/world.js';

const directory = join(ROOT, 'config/scenarios');

describe('the shipped scenarios pass their own expectations', CPU_BOUND, () => {
  const config = defaultConfig();
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.yaml'))) {
    it(name, () => {
      const loaded = loadScenarioFile(join(directory, name), config);
      if (!loaded.ok) throw new Error(loaded.error);
      const lines: string[] = [];
      const code = runHeadless({
        config,
        scenario: loaded.value,
        seed: loaded.value.seed ?? 1,
        durationUs: loaded.value.duration ?? 60_000_000,
        intervalUs: 10_000_000,
        write: (line) => lines.push(line),
      });
      const summary = JSON.parse(lines.at(-1)!) as {expectations: Array<{ok: boolean}>};
      expect(summary.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
      expect(code).toBe(0);
    });
  }
});
