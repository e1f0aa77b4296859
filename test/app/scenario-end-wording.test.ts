import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';

// A step past the end blamed the file alone even when the end came from --duration.
describe('a scenario step after the run end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svmtop-end-'));
  afterAll(() => rmSync(dir, {recursive: true, force: true}));
  const file = join(dir, 's.yaml');
  writeFileSync(file, 'steps:\n  - {at: 15s, do: pause, vm: web-1}\n');

  it('names --duration when the end came from the flag', () => {
    const result = runCli(['--headless', '--scenario', file, '--duration', '5s']);
    expect({status: result.status, stdout: result.stdout, stderr: result.stderr}).toEqual({
      status: 2,
      stdout: '',
      stderr: `svmtop: ${file}: steps[0].at: 15.0s is after the run's end (5.0s, set by --duration)\n`,
    });
  });

  it('says no more when the end is the scenario duration', () => {
    writeFileSync(join(dir, 'd.yaml'), 'duration: 5s\nsteps:\n  - {at: 15s, do: pause, vm: web-1}\n');
    const result = runCli(['--headless', '--scenario', join(dir, 'd.yaml')]);
    expect(result.stderr).toBe(
      `svmtop: ${join(dir, 'd.yaml')}: steps[0].at: 15.0s is after the run's end (5.0s)\n`,
    );
  });
});
