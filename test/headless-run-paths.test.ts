import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {HeadlessRun} from '../src/headless.js';
import {loadScenarioFile} from '../src/host/config/load-scenario.js';
import {defaultConfig} from './helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-run-paths-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function scenarioOf(lines: readonly string[]) {
  const file = join(dir, `s${lines.length}.yaml`);
  writeFileSync(file, [...lines, ''].join('\n'));
  const loaded = loadScenarioFile(file, defaultConfig());
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
}

describe('a HeadlessRun used directly checks its expectation paths when it is made', () => {
  it('a misspelt path: told at once, exit 2, nothing run and nothing written', () => {
    const lines: string[] = [];
    const bad: string[] = [];
    const run = new HeadlessRun({
      config: defaultConfig(),
      scenario: scenarioOf(['expect:', '  - {vm: web-1, path: securty.state, equals: secure}']),
      seed: 1,
      durationUs: 600_000_000,
      intervalUs: 1_000_000,
      write: (line) => lines.push(line),
      onBadExpectationPath: (index, problem) => bad.push(`${index}: ${problem}`),
    });
    // Before: nothing until the 600 simulated seconds had run and the summary was written.
    expect(bad).toEqual(['0: securty.state: a VM snapshot has no field "securty" (nearest: security)']);
    expect(run.exitCode).toBe(2);
    expect(run.step()).toBe(true);
    expect(run.finish()).toBe(2);
    expect(lines).toEqual([]);
    expect(run.world.nowUs).toBe(0);
  });

  it('good paths: the run goes on as before', () => {
    const lines: string[] = [];
    const run = new HeadlessRun({
      config: defaultConfig(),
      scenario: scenarioOf(['expect:', '  - {vm: web-1, path: state, equals: running}']),
      seed: 1,
      durationUs: 2_000_000,
      intervalUs: 1_000_000,
      write: (line) => lines.push(line),
      onBadExpectationPath: () => expect.unreachable(),
    });
    expect(run.exitCode).toBeUndefined();
    while (!run.step());
    expect(lines.at(-1)).toMatch(/^\{"type":"summary"/);
  });
});
