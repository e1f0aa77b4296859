import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';

/**
 * The build #17 target 3 is measured against: 09d76fc, the last main commit without any of #17's
 * work (the parent of the first #17 merge, c1-floor 4854934, whose disk shadow already changed how
 * a write's data is produced; c2-io and k-perf followed).
 */
export const BEFORE_17_COMMIT = '09d76fcfff916936f0b323ee823a3c451d4ee01a';

export interface SimulationCosts {
  /** CPU seconds per simulated second, every round of this checkout's build. */
  readonly current: number[];
  /** The same for the build before #17, rounds alternating with the current one's; null if it could not run. */
  readonly before: number[] | null;
  /** Why the build before #17 was not measured. */
  readonly beforeError: string | null;
  readonly beforeCommit: string;
  /** Simulated seconds measured per round. */
  readonly seconds: number;
  /** Rounds per process: `current` and `before` hold one run of this many per turn, in turn order. */
  readonly roundsPerProcess: number;
  /** Device requests each build's default world completed per simulated second (the same in every round: seed 1). */
  readonly requestsPerSecond: {readonly current: number; readonly before: number | null};
}

interface Rounds {
  readonly cpuSecondsPerSecond: number[];
  readonly requestsPerSecond: number;
}

/** Runs one process of bench/simulation-world.ts on the source tree at `tree`; its rounds, or why it failed. */
function runRounds(root: string, tree: string, rounds: number, seconds: number): Rounds | string {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(root, 'bench/simulation-world.ts'),
      tree,
      `${rounds}`,
      `${seconds}`,
    ],
    {cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: {...process.env, NODE_ENV: 'production'}},
  );
  if (child.error) return child.error.message;
  if (child.status !== 0) {
    const lastLine = child.stderr
      .trim()
      .split('\n')
      .findLast((line) => /Error/.test(line));
    return `exit ${child.status}: ${lastLine ?? child.stderr.trim().split('\n').at(-1) ?? ''}`;
  }
  return JSON.parse(child.stdout.trimEnd().split('\n').at(-1)!) as Rounds;
}

/** Exports BEFORE_17_COMMIT's tree into a fresh temporary directory (no worktree, nothing in .git changes). */
export function exportBefore17(root: string): {tree: string} | {error: string} {
  const git = (args: string[], input?: Buffer) =>
    spawnSync('git', ['-C', root, ...args], {input, maxBuffer: 256 * 1024 * 1024});
  const exists = git(['cat-file', '-e', `${BEFORE_17_COMMIT}^{commit}`]);
  if (exists.error) return {error: `git is not available (${exists.error.message})`};
  if (exists.status !== 0) {
    const why = exists.stderr.toString().trim().split('\n')[0];
    return {
      error: `commit ${BEFORE_17_COMMIT.slice(0, 7)} is not in this repository${why ? ` (git: ${why})` : ''}`,
    };
  }
  const archive = git(['archive', '--format=tar', BEFORE_17_COMMIT]);
  if (archive.status !== 0) return {error: `git archive failed: ${archive.stderr.toString().trim()}`};
  const tree = mkdtempSync(join(tmpdir(), 'svmtop-before-17-'));
  const untar = spawnSync('tar', ['-x', '-C', tree], {input: archive.stdout});
  if (untar.status !== 0) {
    rmSync(tree, {recursive: true, force: true});
    return {
      error: `tar could not unpack the tree: ${untar.error?.message ?? untar.stderr.toString().trim()}`,
    };
  }
  // Its dependencies are this checkout's: the simulation needs only yaml and zod, unchanged since.
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  return {tree};
}

/**
 * #17 target 3's yardstick: this build's simulation cost and the build before #17's, measured in
 * the same run, alternating (which goes first alternates too), `rounds` fresh worlds per process.
 * Each build runs its own default world, loaded the same way (tsx from source).
 */
export function measureSimulationCosts(
  root: string,
  options: {alternations: number; rounds: number; seconds: number},
): SimulationCosts {
  const {alternations, rounds, seconds} = options;
  const exported = exportBefore17(root);
  let beforeError = 'error' in exported ? exported.error : null;
  const current: number[] = [];
  const before: number[] = [];
  const requestsPerSecond = {current: 0, before: null as number | null};
  try {
    for (let turn = 0; turn < alternations; turn++) {
      const order = turn % 2 === 0 ? (['before', 'current'] as const) : (['current', 'before'] as const);
      for (const build of order) {
        if (build === 'current') {
          const result = runRounds(root, root, rounds, seconds);
          if (typeof result === 'string') throw new Error(`simulation benchmark failed: ${result}`);
          current.push(...result.cpuSecondsPerSecond);
          requestsPerSecond.current = result.requestsPerSecond;
        } else if ('tree' in exported && beforeError === null) {
          const result = runRounds(root, exported.tree, rounds, seconds);
          if (typeof result === 'string') beforeError = `the build before #17 did not run: ${result}`;
          else {
            before.push(...result.cpuSecondsPerSecond);
            requestsPerSecond.before = result.requestsPerSecond;
          }
        }
      }
    }
  } finally {
    if ('tree' in exported) rmSync(exported.tree, {recursive: true, force: true});
  }
  return {
    current,
    before: beforeError === null ? before : null,
    beforeError,
    beforeCommit: BEFORE_17_COMMIT,
    seconds,
    roundsPerProcess: rounds,
    requestsPerSecond,
  };
}
