import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {runHeadless} from '../../src/headless.js';
import {ROOT} from '../helpers/cli.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';
import {defaultConfig} from '../helpers/world.js';

interface Line {
  readonly type: string;
  readonly vm?: string;
  readonly kind?: string;
  readonly message?: string;
  readonly vms?: Array<{
    name: string;
    swiotlb: {nslabs: number; hiwater: number; recommendedNslabs: number} | null;
  }>;
}

/** README's faults example: db-1 (swiotlb=1024 via secure mode) gets a 5 s leak at 15 s. */
function runFaults(): Line[] {
  const config = defaultConfig();
  const loaded = loadScenarioFile(join(ROOT, 'config/scenarios/faults.yaml'), config);
  if (!loaded.ok) throw new Error(loaded.error);
  const lines: string[] = [];
  runHeadless({
    config,
    scenario: loaded.value,
    seed: loaded.value.seed ?? 1,
    durationUs: 60_000_000,
    intervalUs: 10_000_000,
    write: (line) => lines.push(line),
  });
  return lines.map((line) => JSON.parse(line) as Line);
}

// tester16 F8: a leak is not a small pool; doubling the pool does not cure it.
describe('an injected swiotlb leak is not diagnosed as a pool too small', CPU_BOUND, () => {
  const lines = runFaults();
  it('no "too small" advice while the leak holds the pool: the pool is full, in Linux\'s words', () => {
    const db1 = lines.filter((line) => line.type === 'event' && line.vm === 'db-1');
    expect(db1.some((line) => line.message?.includes('swiotlb buffer is full'))).toBe(true);
    expect(db1.filter((line) => line.message?.includes('too small'))).toEqual([]);
  });

  it('the sizing advice after the leak is released rests on what the devices asked, not on the leak', () => {
    const last = lines.filter((line) => line.type === 'snapshot').at(-1)!;
    const pool = last.vms!.find((vm) => vm.name === 'db-1')!.swiotlb!;
    // io_tlb_used_hiwater is Linux's: the leak pinned it at the whole pool.
    expect(pool.hiwater).toBe(pool.nslabs);
    expect(pool.recommendedNslabs).toBeLessThanOrEqual(pool.nslabs);
  });
});
