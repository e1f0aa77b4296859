import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {parse, stringify} from 'yaml';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../src/host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE, parseWorldText} from '../src/host/config/load-world.js';
import {checkInvariants} from '../src/host/invariants.js';
import {World} from '../src/host/world.js';
import {runCli} from './helpers/cli.js';
import {defaultConfig} from './helpers/world.js';
import {CPU_BOUND} from './helpers/property-timeout.js';

const defaultText = readFileSync(DEFAULT_WORLD_FILE, 'utf8');
const defaultObject = parse(defaultText) as unknown;
const dir = mkdtempSync(join(tmpdir(), 'svmtop-fuzz-'));

/** Every path to a value in a YAML document's data. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return [prefix, ...value.flatMap((item, index) => paths(item, [...prefix, index]))];
  if (value && typeof value === 'object')
    return [prefix, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...prefix, key]))];
  return [prefix];
}

const allPaths = paths(defaultObject).filter((path) => path.length > 0);
const replacement = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({min: -5, max: 1 << 40}),
  fc.double({noNaN: false}),
  fc.string({maxLength: 12}),
  fc.constantFrom('4GiB', '-1', 'on', 'legacy', 'restricted', 'alpha', '0', '65536,3,force', ''),
  fc.array(fc.string({maxLength: 4}), {maxLength: 3}),
  fc.dictionary(fc.string({maxLength: 6}), fc.integer(), {maxKeys: 2}),
);

function mutate(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

/** A load either succeeds or gives one line naming the file; a valid world must also run. */
function expectLoadsOrOneLine(text: string): void {
  const result = parseWorldText('fuzz.yaml', text);
  if (!result.ok) {
    expect(result.error.startsWith('fuzz.yaml: ')).toBe(true);
    expect(result.error).not.toContain('\n');
    expect(result.error).not.toMatch(/\bat .*\.(ts|js):\d+/);
    return;
  }
  const world = new World(result.value, {seed: 1});
  world.start();
  world.advanceTo(4_000_000);
  expect(checkInvariants(world)).toEqual([]);
}

describe('fuzzed world files load or fail with one clear line', () => {
  it('type swaps, deletions and odd values anywhere in the default world', CPU_BOUND, () => {
    fc.assert(
      fc.property(fc.constantFrom(...allPaths), replacement, (path, value) => {
        expectLoadsOrOneLine(stringify(mutate(defaultObject, path, value)));
      }),
      {numRuns: 250},
    );
  });

  it('the default world cut off anywhere, or with a byte changed', CPU_BOUND, () => {
    fc.assert(
      fc.property(
        fc.nat(defaultText.length),
        fc.integer({min: 0, max: 255}),
        fc.boolean(),
        (cut, byte, isTruncation) => {
          const text = isTruncation
            ? defaultText.slice(0, cut)
            : defaultText.slice(0, cut) + String.fromCharCode(byte) + defaultText.slice(cut + 1);
          expectLoadsOrOneLine(text);
        },
      ),
      {numRuns: 250},
    );
  });

  it('YAML bombs and deep nesting end with an error (the test timeout bounds them)', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 0; level < 12; level++)
      bomb.push(
        `${String.fromCharCode(98 + level)}: &${String.fromCharCode(98 + level)} [*${String.fromCharCode(97 + level)}, *${String.fromCharCode(97 + level)}, *${String.fromCharCode(97 + level)}, *${String.fromCharCode(97 + level)}]`,
      );
    expect(parseWorldText('bomb.yaml', bomb.join('\n'))).toMatchObject({ok: false});
    expect(parseWorldText('deep.yaml', `hosts: ${'['.repeat(5000)}${']'.repeat(5000)}`)).toMatchObject({
      ok: false,
    });
  });
});

describe('fuzzed scenario files load or fail with one clear line', () => {
  const world = defaultConfig();
  const base = {
    seed: 3,
    duration: '20s',
    steps: [
      {at: '5s', do: 'migrate', vm: 'web-1', to: 'beta', maxBandwidth: '256MiB'},
      {at: '6s', do: 'fault', kind: 'link-down', hosts: ['alpha', 'beta']},
    ],
    expect: [{vm: 'web-1', path: 'state', equals: 'running'}],
  };
  const scenarioPaths = paths(base).filter((path) => path.length > 0);
  it('mutations of a valid scenario', CPU_BOUND, () => {
    let index = 0;
    fc.assert(
      fc.property(fc.constantFrom(...scenarioPaths), replacement, (path, value) => {
        const file = join(dir, `scenario-${index++ % 8}.yaml`);
        writeFileSync(file, stringify(mutate(base, path, value)));
        const result = loadScenarioFile(file, world);
        if (!result.ok) {
          expect(result.error.startsWith(`${file}: `)).toBe(true);
          expect(result.error).not.toContain('\n');
        }
      }),
      {numRuns: 200},
    );
  });
});

describe('the binary with fuzzed input exits 2 with one line, never a stack trace', () => {
  it.each([
    ['truncated', defaultText.slice(0, 1234)],
    ['a list at the top', '- 1\n- 2\n'],
    ['binary garbage', '\u0000\u0001\u0002\u00ff\u00fe'],
    ['a number for hosts', 'hosts: 12\n'],
  ])('%s', (_name, text) => {
    const file = join(dir, `cli-${_name.replace(/\W/g, '-')}.yaml`);
    writeFileSync(file, text);
    const result = runCli(['--headless', '--config', file, '--duration', '1s']);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^svmtop: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });
});
