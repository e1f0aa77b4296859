import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {defaultConfig} from '../helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-bounds-'));
const world = defaultConfig();

/** Loads a scenario against the default world: 'ok', or the error without the file name. */
function loadScenario(text: string): string {
  const file = join(dir, 's.yaml');
  writeFileSync(file, text);
  const result = loadScenarioFile(file, world);
  return result.ok ? 'ok' : result.error.replace(`${file}: `, '');
}

describe('scenario run times', () => {
  it.each([['0'], ['0s'], ['0ms'], ['1e-9'], ['1us']])('refuses interval: %s', (interval) => {
    expect(loadScenario(`interval: ${interval}\n`)).toMatch(
      /^interval: expected at least 10ms between snapshots, got \d+us$/,
    );
  });

  it('accepts the shortest interval', () => {
    expect(loadScenario('interval: 10ms\n')).toBe('ok');
  });

  it('refuses a duration given as a number too large for the clock', () => {
    expect(loadScenario('duration: 1e300\n')).toBe(
      'duration: expected a duration like "30s" or "500ms", got 1e+300',
    );
  });

  it('refuses a duration past a million hours, and a zero duration as --duration does', () => {
    expect(loadScenario('duration: 2000000h\n')).toBe(
      'duration: expected at most 1000000h (a million simulated hours), got 2000000h00m',
    );
    expect(loadScenario('duration: 0\n')).toBe('duration: expected a duration above zero, got 0us');
  });
});
