import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {HeadlessRun, runHeadless} from '../src/headless.js';
import {loadScenarioFile} from '../src/host/config/load-scenario.js';
import {defaultConfig} from './helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-expect-types-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
let files = 0;

function load(expectations: readonly string[]) {
  const file = join(dir, `s${++files}.yaml`);
  writeFileSync(file, ['expect:', ...expectations.map((line) => `  - ${line}`), ''].join('\n'));
  return {file, loaded: loadScenarioFile(file, defaultConfig())};
}

/** What a run made from `expectations` tells before it runs: its exit code and the problems. */
function before(expectations: readonly string[]) {
  const {loaded} = load(expectations);
  if (!loaded.ok) throw new Error(loaded.error);
  const bad: string[] = [];
  const lines: string[] = [];
  const run = new HeadlessRun({
    config: defaultConfig(),
    scenario: loaded.value,
    seed: 1,
    durationUs: 600_000_000,
    intervalUs: 1_000_000,
    write: (line) => lines.push(line),
    onBadExpectationPath: (index, problem) => bad.push(`${index}: ${problem}`),
  });
  return {exitCode: run.exitCode, bad, lines, nowUs: run.world.nowUs};
}

/** Tester 17, S1: a value of the wrong type for its field ran the whole scenario, then exited 1. */
describe('an expectation whose value cannot be compared with its field is refused before the run', () => {
  it('atLeast or atMost on a string field', () => {
    expect(before(['{vm: web-1, path: state, atLeast: 1}', '{vm: web-1, path: state, atMost: 1}'])).toEqual({
      exitCode: 2,
      bad: [
        '0: state: a string field; atLeast and atMost compare numbers (equals compares a string)',
        '1: state: a string field; atLeast and atMost compare numbers (equals compares a string)',
      ],
      lines: [],
      nowUs: 0,
    });
  });

  it('a size for a field of bytes: the number of bytes to write', () => {
    expect(before(['{vm: web-1, path: memoryBytes, equals: 8GiB}']).bad).toEqual([
      '0: memoryBytes: a number field; equals "8GiB" never matches it (write 8589934592 for 8GiB)',
    ]);
  });

  it('equals of the wrong type: a number for a string field, a string for a number field', () => {
    expect(
      before(['{vm: web-1, path: state, equals: 3}', '{vm: web-1, path: memoryBytes, equals: lots}']).bad,
    ).toEqual([
      '0: state: a string field; equals 3 never matches it (write a string)',
      '1: memoryBytes: a number field; equals "lots" never matches it (write a number)',
    ]);
  });

  it('a list or an object: names what to compare instead, without dumping it', () => {
    expect(
      before(['{vm: web-1, path: devices, equals: 3}', '{vm: web-1, path: "devices[0]", atLeast: 3}']).bad,
    ).toEqual([
      '0: devices: a list, not a value to compare (name an element, like devices[0].id)',
      '1: devices[0]: an object, not a value to compare (name one of its fields: id, type, offersAccessPlatform, accessPlatformForced, dma, bounces, status, error, errorCode, featuresOffered, featuresNegotiated, completed, failed, inFlight, bytesToDevice, bytesFromDevice, faults, integrityErrors)',
    ]);
  });

  it('equals null is a value any field may hold; a field of the right type runs', () => {
    expect(
      before([
        '{vm: web-1, path: "swiotlb.usedByDevice", equals: null}',
        '{vm: web-1, path: memoryBytes, equals: 8589934592}',
        '{vm: web-1, path: state, equals: running}',
        '{host: alpha, path: memory.freeBytes, atLeast: 1, atMost: 1000000000000}',
      ]),
    ).toMatchObject({exitCode: undefined, bad: []});
  });

  it('a field null as the world is built is asked again at the end: bad input there, not a failure', () => {
    const file = join(dir, 'late.yaml');
    writeFileSync(
      file,
      'steps:\n  - {at: 1s, do: migrate, vm: churn-1, to: beta}\nexpect:\n  - {vm: churn-1, path: migration.status, atLeast: 1}\n',
    );
    const loaded = loadScenarioFile(file, defaultConfig());
    if (!loaded.ok) throw new Error(loaded.error);
    const bad: string[] = [];
    const code = runHeadless({
      config: defaultConfig(),
      scenario: loaded.value,
      seed: 1,
      durationUs: 3_000_000,
      intervalUs: 1_000_000,
      write: () => undefined,
      onExpectationFailed: () => expect.unreachable(),
      onBadExpectationPath: (index, problem) => bad.push(`${index}: ${problem}`),
    });
    expect({code, bad}).toEqual({
      code: 2,
      bad: [
        '0: migration.status: a string field; atLeast and atMost compare numbers (equals compares a string)',
      ],
    });
  });

  it('equals with atLeast or atMost: refused at load, naming the expectation', () => {
    const {file, loaded} = load(['{vm: web-1, path: state, equals: running, atLeast: 3}']);
    expect(loaded).toEqual({
      ok: false,
      error: `${file}: expect[0]: equals takes no atLeast or atMost (equals alone decides)`,
    });
  });
});
