import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {BEFORE_17_COMMIT, exportBefore17, type SimulationCosts} from '../../bench/simulation-cost.js';
import {GROUPS} from '../../bench/rows.js';
import {ROOT} from '../helpers/cli.js';

const costs = (before: number[] | null, beforeError: string | null): SimulationCosts => ({
  current: [0.0031, 0.0035],
  before,
  beforeError,
  beforeCommit: BEFORE_17_COMMIT,
  seconds: 60,
  roundsPerProcess: 1,
  requestsPerSecond: {current: 420, before: before === null ? null : 336},
});

describe('simulation benchmark (#17 target 3)', () => {
  it('judges the ratio of the two builds measured in the same run', () => {
    const [row] = GROUPS.simulation!(() => costs([0.0064, 0.0066], null));
    expect(row!.measured).toMatch(/^0\.48× \(turn by turn 0\.48–0\.53×\): 3\.10 ms .* vs 6\.40 ms/);
    expect(row!.measured).toContain(
      '420 and 336 device requests per simulated s: 7.38 vs 19.05 µs per request (0.39×)',
    );
    expect(row!.met).toBe('yes');
  });

  it('gives each build’s best round once, with its worst beside it', () => {
    const [row] = GROUPS.simulation!(() => costs([0.0064, 0.0066], null));
    expect(row!.measured).toContain(
      ': 3.10 ms (worst round 3.50) CPU per simulated s vs 6.40 ms (worst round 6.60) before #17;',
    );
  });

  it('says why when the build before #17 could not be measured, and judges nothing', () => {
    const [row] = GROUPS.simulation!(() => costs(null, 'git is not available (spawnSync git ENOENT)'));
    expect(row!.measured).toContain('before #17: not measured, git is not available');
    expect(row!.met).toBe('pending');
  });

  it('refuses a directory that holds no such commit, with git’s reason', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'svmtop-no-repo-'));
    try {
      const result = exportBefore17(elsewhere);
      expect(result).toEqual({
        error: expect.stringMatching(/^commit 09d76fc is not in this repository \(git: /),
      });
    } finally {
      rmSync(elsewhere, {recursive: true, force: true});
    }
  });

  it('exports the build before #17 as a tree of its own, with this checkout’s packages', () => {
    const result = exportBefore17(ROOT);
    if ('error' in result) throw new Error(result.error);
    try {
      expect(readFileSync(join(result.tree, 'config/default.yaml'), 'utf8')).toContain('dmaPolicy: legacy');
      expect(existsSync(join(result.tree, 'node_modules/yaml'))).toBe(true);
    } finally {
      rmSync(result.tree, {recursive: true, force: true});
    }
  });
});
