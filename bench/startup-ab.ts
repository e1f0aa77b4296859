/**
 * Diagnostic (no benchmark row): start-up of two checkouts, alternating, in the 120×40 pty of
 * bench/startup.ts. `node --import tsx bench/startup-ab.ts TREE_A TREE_B ROUNDS [MODE...]`, modes
 * `direct` (node scripts/start.mjs to the first full frame), `npm` (npm start --silent, the same),
 * `help` (node scripts/start.mjs --help to its exit). Prints each run and the medians with ranges.
 */
import {isFullDashboard, type StartTime, timeToScreen} from './startup.js';

const [treeA, treeB, roundsText, ...modeArgs] = process.argv.slice(2);
if (!treeA || !treeB) throw new Error('usage: startup-ab.ts TREE_A TREE_B [ROUNDS] [direct|npm|help ...]');
const rounds = Number(roundsText ?? 5);
const modes = modeArgs.length > 0 ? modeArgs : ['direct', 'npm', 'help'];
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

function once(tree: string, mode: string): Promise<StartTime> {
  const start = `${tree}/scripts/start.mjs`;
  if (mode === 'help') return timeToScreen(process.execPath, [start, '--help']);
  if (mode === 'npm')
    return timeToScreen(
      NPM[0]!,
      [...NPM.slice(1), '--prefix', tree, 'start', '--silent'],
      isFullDashboard,
      'q',
    );
  return timeToScreen(process.execPath, [start], isFullDashboard, 'q');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const summary = (runs: StartTime[]) => {
  const wall = runs.map((run) => run.wallMs);
  const cpu = runs.map((run) => run.cpuMs);
  return `wall ${median(wall).toFixed(0)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}), CPU ${median(cpu).toFixed(0)} ms (${Math.min(...cpu)}–${Math.max(...cpu)})`;
};

for (const mode of modes) {
  const results = new Map<string, StartTime[]>([
    [treeA, []],
    [treeB, []],
  ]);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [treeA, treeB] : [treeB, treeA];
    for (const tree of order) {
      const run = await once(tree, mode);
      results.get(tree)!.push(run);
      console.log(`${mode} round ${round} ${tree}: ${run.wallMs.toFixed(0)} ms, CPU ${run.cpuMs} ms`);
    }
  }
  for (const [tree, runs] of results) console.log(`== ${mode} ${tree}: ${summary(runs)}`);
}
