import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ROOT, runCli} from './helpers/cli.js';

/** The README's ```yaml blocks that are scenario files (they have steps or expectations). */
function readmeScenarios(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ya?ml\b.*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  return blocks.filter((block) => /^(steps|expect):/m.test(block));
}

describe("the README's examples run as shown", () => {
  const scenarios = readmeScenarios();

  it('finds the scenario example', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  it.each(scenarios.map((text, index) => [index, text]))(
    'scenario block %i runs headless with every expectation met (exit 0)',
    (index, text) => {
      const file = join(mkdtempSync(join(tmpdir(), 'svmtop-readme-')), `scenario-${index}.yaml`);
      writeFileSync(file, text);
      const result = runCli(['--headless', '--scenario', file]);
      // A scenario svmtop refuses (exit 2) says why here, before there is a summary to read.
      expect(result.status === 2 ? result.stderr : '').toBe('');
      const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as {
        expectations: {ok: boolean}[];
      };
      expect(summary.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
      expect({status: result.status, stderr: result.stderr}).toEqual({status: 0, stderr: ''});
    },
  );
});
