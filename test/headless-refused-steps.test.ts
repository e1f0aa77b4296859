import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runCli} from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-refused-steps-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function scenario(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [...lines, ''].join('\n'));
  return path;
}

const summaryOf = (stdout: string) =>
  JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

/** Tester 17, S2: a refused step left nothing but a warning event whose message had to be parsed. */
describe('a scenario step the host refuses', () => {
  it('is listed in the summary (file index, time, step, code, reason) and told on stderr; the exit code stays 0', () => {
    const file = scenario('refused.yaml', [
      'duration: 10s',
      'steps:',
      '  - {at: 7s, do: migrate, vm: churn-1, to: alpha}',
      '  - {at: 5s, do: pause, vm: churn-1}',
      '  - {at: 5s, do: pause, vm: churn-1}',
      '  - {at: 6s, do: resume, vm: churn-1}',
    ]);
    const result = runCli(['--headless', '--scenario', file]);
    expect(result.status).toBe(0);
    const refusedSteps = [
      {
        index: 2,
        t: 5,
        do: 'pause',
        vm: 'churn-1',
        code: 'already-paused',
        reason: 'churn-1 is already paused',
      },
      {
        index: 0,
        t: 7,
        do: 'migrate',
        vm: 'churn-1',
        code: 'migration-blocked',
        reason: 'churn-1 already runs on alpha',
      },
    ];
    expect(summaryOf(result.stdout).refusedSteps).toEqual(refusedSteps);
    expect(result.stderr).toBe(
      [
        'svmtop: step refused: steps[2] at 5s, pause churn-1: churn-1 is already paused (already-paused)',
        'svmtop: step refused: steps[0] at 7s, migrate churn-1: churn-1 already runs on alpha (migration-blocked)',
        '',
      ].join('\n'),
    );
  });

  it('none refused: the summary has no refusedSteps and stderr stays empty', () => {
    const file = scenario('fine.yaml', ['duration: 6s', 'steps:', '  - {at: 5s, do: pause, vm: churn-1}']);
    const result = runCli(['--headless', '--scenario', file]);
    expect({status: result.status, stderr: result.stderr}).toEqual({status: 0, stderr: ''});
    expect(summaryOf(result.stdout)).not.toHaveProperty('refusedSteps');
  });
});
