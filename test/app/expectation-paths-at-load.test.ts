import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-paths-'));
function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [...lines, ''].join('\n'));
  return path;
}

describe('expectation paths are checked when the scenario loads', () => {
  it('a misspelt field or a device no VM has: exit 2 before the run, nothing on stdout', () => {
    const scenario = file('misspelt.yaml', [
      'duration: 600s',
      'expect:',
      '  - {vm: web-1, path: state, equals: halted}',
      '  - {vm: web-1, path: securty.state, equals: secure}',
      "  - {vm: web-1, path: 'devices[bkl].failed', equals: 0}",
    ]);
    const started = performance.now();
    const result = runCli(['--headless', '--scenario', scenario]);
    // Before: the 600 simulated seconds ran first, then the same lines (the devices one exit 1).
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `svmtop: ${scenario}: expect[1].path: securty.state: a VM snapshot has no field "securty" (nearest: security)`,
        `svmtop: ${scenario}: expect[2].path: devices[bkl].failed: devices has no element [bkl] (its elements: 0 (net, virtio0), 1 (blk, virtio1), 2 (console, virtio2), 3 (rng, virtio3), 4 (balloon, virtio4))`,
        '',
      ].join('\n'),
    );
    expect(result.status).toBe(2);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('a path through what is null until the run gets there is asked at the end, as before', () => {
    const scenario = file('later.yaml', [
      'duration: 20s',
      'expect:',
      '  - {vm: web-1, path: swiotlb.nslabz, atLeast: 1}',
    ]);
    const result = runCli(['--headless', '--scenario', scenario]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/expect\[0\]\.path: swiotlb\.nslabz: swiotlb has no field "nslabz"/);
    expect(JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({type: 'summary'});
  });
});
