/**
 * What each benchmark measures, run in a fresh process of its own (`run.mjs --measure NAME`) so
 * that one's heap and garbage do not weigh on the next. Each returns plain JSON for bench/rows.ts.
 */
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {KiB, MiB} from '../src/core/units.js';
import {bigWorld} from './big-world.js';
import {measureClusterSpeed} from './cluster-speed.js';
import {measureFootprintsBothOrders, type Program} from './dashboard-footprint.js';
import {measureBouncedIo} from './io-throughput.js';
import {measureRender} from './render-cost.js';
import {measureSimulationCosts} from './simulation-cost.js';
import {measureSparseMemory} from './sparse-memory.js';
import {isFullDashboard, type StartTime, timeNpmStart, timeToScreen} from './startup.js';
import {measureMapUnmap} from './swiotlb-cost.js';

const quick = process.env.BENCH_QUICK === '1';
/**
 * svmtop as `npm start` runs it: scripts/start.mjs (its check that the build is current, Node 22's
 * compile cache, then the bundle `npm run bench` has just built), without npm's own process.
 */
const SVMTOP = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));
/** The checkout this bundle was built from (dist-bench/patched/run.mjs is two levels down). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The node flags `npm start` gives svmtop (package.json's start script): svmtop runs with them here too. */
export function startNodeFlags(): string[] {
  const packageJson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {scripts: {start: string}};
  return packageJson.scripts.start.split(' ').filter((word) => word.startsWith('--'));
}
/**
 * A young generation of 4 MiB instead of V8's default (which grows to 32 MiB at boot and stays): RSS
 * for some CPU. #17 lets npm start give it only if both targets are met with it; the dashboard group
 * measures svmtop with it beside svmtop as npm start runs it, every run.
 */
export const SMALL_YOUNG_GENERATION = ['--max-semi-space-size=4'];
/** #17's yardstick, bundled beside this file on stock Ink (bench/build.mjs). */
export const NAIVE_INK_LOOP = fileURLToPath(new URL('../stock/naive-ink-loop.mjs', import.meta.url));

const times = async (runs: number, once: () => Promise<StartTime>) => {
  const result: StartTime[] = [];
  for (let run = 0; run < runs; run++) result.push(await once());
  return result;
};

export const MEASURES: Record<string, () => unknown> = {
  io: () => ({
    large: measureBouncedIo(64 * KiB, quick ? 64 * MiB : 512 * MiB),
    small: measureBouncedIo(4 * KiB, quick ? 64 * MiB : 512 * MiB),
  }),
  swiotlb: () => {
    const pairs = quick ? 20_000 : 200_000;
    // Alternating rounds, best of five each: neighbours on this machine only ever add time, and the
    // large pool, being bound by memory, is the one their bursts hit.
    let small = Infinity;
    let large = Infinity;
    for (let round = 0; round < 5; round++) {
      small = Math.min(small, measureMapUnmap(64 * MiB, 4, pairs));
      large = Math.min(large, measureMapUnmap(1024 * MiB, 4, pairs));
    }
    return {small, large};
  },
  cluster: () => measureClusterSpeed(200, quick ? 10 : 60),
  memory: () => measureSparseMemory(40, 20),
  simulation: () =>
    // 60 simulated s even when quick: the build before #17 is still busier in the 20 s after its
    // first 30 than later, so a shorter window flatters the ratio.
    measureSimulationCosts(ROOT, {alternations: quick ? 2 : 4, rounds: quick ? 1 : 2, seconds: 60}),
  render: async () => {
    const frames = quick ? 20 : 120;
    // The first frames run while the JIT compiles the frame's code: start-up, reported apart.
    const warmupFrames = quick ? 5 : 10;
    const result = await measureRender(bigWorld(200), {
      frames,
      warmupFrames,
      columns: 120,
      rows: 40,
      tab: 'devices',
    });
    return {
      wallMs: result.frameMs,
      cpuMs: result.frameCpuMs,
      mainCpuMs: result.frameMainCpuMs,
      warmupCpuMs: result.warmupCpuMs,
    };
  },
  startup: async () => {
    const runs = quick ? 2 : 5;
    return {
      npmStart: await times(runs, () => timeNpmStart()),
      help: await times(runs, () => timeNpmStart(['--help'])),
      naive: await times(runs, () =>
        timeToScreen(process.execPath, [NAIVE_INK_LOOP], (screen) => screen(29).startsWith('row 29')),
      ),
      svmtop: await times(runs, () =>
        timeToScreen(process.execPath, [...startNodeFlags(), SVMTOP], isFullDashboard, 'q'),
      ),
    };
  },
  dashboard: () => {
    const programs: Program[] = [
      // Each compared pair at mirror places (svmtop at 1 s and the naive loop, svmtop at 2 s and
      // htop), so the two passes in both orders start each of a pair first once.
      {command: process.execPath, args: [...startNodeFlags(), SVMTOP, '--refresh', '1s'], quitKey: 'q'},
      {command: process.execPath, args: [...startNodeFlags(), SVMTOP], quitKey: 'q'},
      {
        command: process.execPath,
        args: [...startNodeFlags(), ...SMALL_YOUNG_GENERATION, SVMTOP, '--refresh', '1s'],
        quitKey: 'q',
      },
      {command: 'htop', args: ['-d', '15'], quitKey: 'q'},
      {command: process.execPath, args: [NAIVE_INK_LOOP]},
    ];
    return measureFootprintsBothOrders(programs, {
      seconds: quick ? 10 : 60,
      settleSeconds: quick ? 8 : 45,
      columns: 120,
      rows: 40,
    });
  },
};
