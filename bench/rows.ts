/**
 * The benchmark table's rows: each target with what it is measured against in the same run.
 * `measure(name, ink)` runs bench/measures.ts's NAME in a fresh process, on patched or stock Ink.
 */
import type {ClusterSpeedResult} from './cluster-speed.js';
import type {FootprintResult} from './dashboard-footprint.js';
import {SMALL_YOUNG_GENERATION} from './measures.js';
import type {ThroughputResult} from './io-throughput.js';
import type {SimulationCosts} from './simulation-cost.js';
import type {StartTime} from './startup.js';
import {medianOf} from './timing.js';

export type Met = 'yes' | 'no' | 'pending' | '-';
export interface Row {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: Met;
}
export type Measure = (name: string, ink?: 'patched' | 'stock') => unknown;

const fmt = (value: number, digits = 2) => value.toFixed(digits);
const met = (isMet: boolean): Met => (isMet ? 'yes' : 'no');
const sortedOf = (values: number[]) => [...values].sort((a, b) => a - b);
const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
const spread = (values: number[]) => `${values.map((value) => fmt(value, 0)).join(', ')}`;

function ioRows(measure: Measure): Row[] {
  const {large, small} = measure('io') as {large: ThroughputResult; small: ThroughputResult};
  return (
    [
      [large, 64, 0.9],
      [small, 4, 0.4],
    ] as const
  ).map(([result, kib, floorShare]) => ({
    name: `bounced blk I/O path alone, ${kib} KiB requests (rings, swiotlb, device; secure guest, queue depth 8, write + read-back of 16 MiB through a 64 MiB pool; CPU time; floor and path timed back to back in each of ${result.rounds} rounds, the median of the rounds' ratios)`,
    target: `≥ ${floorShare} of its copy floor: 2.5 × Buffer.copy of the same bytes over the same working set, same run (#17 target 4)`,
    measured: `${fmt(result.ratio, 3)} (rounds ${fmt(result.ratioMin, 3)}–${fmt(result.ratioMax, 3)}; median path ${fmt(result.pathMicros)} µs per request vs floor ${fmt(result.floorMicros)} µs; Buffer.copy ${fmt(result.baselineBytesPerSecond / 2 ** 20, 0)} MiB/s); the workload's producing and verifying apart: ${fmt(result.workloadMicros)} µs, whole loop ${fmt(result.loopMicros)} µs`,
    met: met(result.ratio >= floorShare),
  }));
}

function simulationRows(measure: Measure): Row[] {
  const costs = measure('simulation') as SimulationCosts;
  const best = (values: number[]) => Math.min(...values);
  const ms = (values: number[]) =>
    `${fmt(best(values) * 1000)} ms (worst round ${fmt(Math.max(...values) * 1000)})`;
  const name = `simulation of the default world, headless, 1 s steps after its first 30 s (best of ${costs.current.length} × ${costs.seconds} simulated s per build, the two builds alternating, each on its own default world)`;
  const target = `≤ 0.5× the build before #17's work (${costs.beforeCommit.slice(0, 7)}, main before the c1-floor merge), same run (#17 target 3)`;
  const requests = costs.requestsPerSecond;
  if (costs.before === null || requests.before === null)
    return [
      {
        name,
        target,
        measured: `${ms(costs.current)} CPU per simulated s; before #17: not measured, ${costs.beforeError}`,
        met: 'pending',
      },
    ];
  const ratio = best(costs.current) / best(costs.before);
  const before = costs.before;
  const perTurn = Array.from(
    {length: Math.min(costs.current.length, before.length) / costs.roundsPerProcess},
    (_, turn) => {
      const slice = (values: number[]) =>
        values.slice(turn * costs.roundsPerProcess, (turn + 1) * costs.roundsPerProcess);
      return best(slice(costs.current)) / best(slice(before));
    },
  );
  const perRequest = (values: number[], perSecond: number) => fmt((best(values) * 1e6) / perSecond);
  return [
    {
      name,
      target,
      measured: `${fmt(ratio)}× (turn by turn ${fmt(Math.min(...perTurn))}–${fmt(Math.max(...perTurn))}×): ${ms(costs.current)} CPU per simulated s vs ${ms(costs.before)} before #17; the worlds complete ${fmt(requests.current, 0)} and ${fmt(requests.before, 0)} device requests per simulated s: ${perRequest(costs.current, requests.current)} vs ${perRequest(costs.before, requests.before)} µs per request (${fmt((ratio * requests.before) / requests.current)}×)`,
      met: met(ratio <= 0.5),
    },
  ];
}

function designRows(measure: Measure, name: string): Row[] {
  if (name === 'swiotlb') {
    const {small, large} = measure('swiotlb') as {small: number; large: number};
    return [
      {
        name: 'swiotlb map+unmap of 4 KiB at 50% occupancy, 64 MiB vs 1 GiB pool',
        target: 'within 1.5×',
        measured: `${fmt(small, 0)} ns vs ${fmt(large, 0)} ns per pair (${fmt(large / small)}×)`,
        met: met(large / small <= 1.5),
      },
    ];
  }
  if (name === 'cluster') {
    const result = measure('cluster') as ClusterSpeedResult;
    return [
      {
        name: `200 guests, devices busy (${fmt(result.requestsPerSimulatedSecond, 0)} req/s, ${fmt(result.bytesPerSimulatedSecond / 2 ** 20, 0)} MiB/s), ${result.migrationsStarted} concurrent migrations`,
        target: '≤ 0.5 CPU-s per simulated s',
        measured: `${fmt(result.cpuSecondsPerSimulatedSecond, 3)} CPU-s/s over ${result.simulatedSeconds} s (RSS ${fmt(result.rssMiB, 0)} MiB)`,
        met: met(result.cpuSecondsPerSimulatedSecond <= 0.5),
      },
    ];
  }
  const result = measure('memory') as {materializedMiB: number; rssMiB: number};
  return [
    {
      name: '40 guests of 8 GiB each (320 GiB of guest memory), booted and running 20 s',
      target: 'only touched pages cost memory',
      measured: `${fmt(result.materializedMiB, 0)} MiB materialised, process RSS ${fmt(result.rssMiB, 0)} MiB`,
      met: met(result.rssMiB < 2048),
    },
  ];
}

function renderRows(measure: Measure): Row[] {
  type Frames = {wallMs: number[]; cpuMs: number[]; mainCpuMs: number[]; warmupCpuMs: number[]};
  const patched = measure('render', 'patched') as Frames;
  const stock = measure('render', 'stock') as Frames;
  const p = (values: number[], fraction: number) => fmt(percentile(sortedOf(values), fraction));
  const both = (frames: Frames) =>
    `CPU p50 ${p(frames.cpuMs, 0.5)} ms, p99 ${p(frames.cpuMs, 0.99)} ms (main thread p50 ${p(frames.mainCpuMs, 0.5)}, p99 ${p(frames.mainCpuMs, 0.99)}; wall p50 ${p(frames.wallMs, 0.5)}, p99 ${p(frames.wallMs, 0.99)}; the ${frames.warmupCpuMs.length} warm-up frames before them: CPU ${spread(frames.warmupCpuMs)} ms)`;
  const p99 = percentile(sortedOf(patched.cpuMs), 0.99);
  return [
    {
      name: `dashboard frame with 200 guests, 120×40, devices tab (snapshot + React + Ink), ${patched.cpuMs.length} frames after ${patched.warmupCpuMs.length} warm-up frames, the simulation's young garbage collected before each`,
      target: 'p99 ≤ 20 ms of CPU (#17 target 5)',
      measured: `${both(patched)}; the same frames on stock Ink: ${both(stock)}`,
      met: met(p99 <= 20),
    },
  ];
}

function startupRows(measure: Measure): Row[] {
  const result = measure('startup') as Record<'npmStart' | 'help' | 'naive' | 'svmtop', StartTime[]>;
  const wall = (runs: StartTime[]) => medianOf(runs.map((run) => run.wallMs));
  const cpu = (runs: StartTime[]) => medianOf(runs.map((run) => run.cpuMs));
  const both = (runs: StartTime[]) => `${fmt(wall(runs), 0)} ms (CPU ${fmt(cpu(runs), 0)} ms)`;
  return [
    {
      name: '`npm start` to the first full frame, 120×40 pty (median of runs; CPU of the process tree)',
      target: '≤ 1 s (#17 target 6)',
      measured: `${both(result.npmStart)}, runs ${spread(result.npmStart.map((run) => run.wallMs))} ms; \`npm start -- --help\` ${both(result.help)}; without npm: svmtop ${both(result.svmtop)}, the naive Ink loop on stock Ink ${both(result.naive)} to its first frame`,
      met: met(wall(result.npmStart) <= 1000),
    },
  ];
}

function dashboardRows(measure: Measure): Row[] {
  const [atOneSecond, atDefault, smallYoung, htop, naive] = measure('dashboard') as FootprintResult[];
  const cpu = (result: FootprintResult) => `${fmt(result.cpuPercentOfOneCore)}%`;
  const rss = (result: FootprintResult) => `${fmt(result.rssMiB, 0)} MiB (max ${fmt(result.rssMaxMiB, 0)})`;
  const window = `120×40 pty, 2 × ${fmt(atOneSecond!.seconds, 0)} s after warm-up (two passes, started in both orders), whole process tree`;
  const cpuRatio = atOneSecond!.cpuPercentOfOneCore / naive!.cpuPercentOfOneCore;
  const htopRatio = atDefault!.cpuPercentOfOneCore / htop!.cpuPercentOfOneCore;
  const rssRatio = atOneSecond!.rssMaxMiB / naive!.rssMaxMiB;
  return [
    {
      name: `dashboard CPU, default world, 1 s refresh, ${window}`,
      target: '≤ 1.0× the naive Ink loop on stock Ink, same run (#17 target 1)',
      measured: `${cpu(atOneSecond!)} of a core vs ${cpu(naive!)} (${fmt(cpuRatio)}×); ${fmt(atOneSecond!.bytesWrittenPerSecond, 0)} B/s to the terminal`,
      met: met(cpuRatio <= 1),
    },
    {
      name: `dashboard CPU at its default 2 s refresh, ${window}`,
      target: '≤ 4× `htop -d 15` in a pty of the same size, same run (#17 target 1)',
      measured: `${cpu(atDefault!)} of a core vs htop ${cpu(htop!)} (${fmt(htopRatio, 1)}×)`,
      met: met(htopRatio <= 4),
    },
    {
      name: `dashboard RSS, 1 s refresh, ${window}`,
      target: '≤ 1.2× the naive Ink loop on stock Ink, same run (#17 target 2)',
      measured: `${rss(atOneSecond!)} vs ${rss(naive!)} (${fmt(rssRatio)}× at the max); at 2 s ${rss(atDefault!)}; htop ${rss(htop!)}`,
      met: met(rssRatio <= 1.2),
    },
    {
      name: `svmtop with \`node ${SMALL_YOUNG_GENERATION.join(' ')}\` (a 4 MiB young generation), 1 s refresh, same window`,
      target: 'npm start gives svmtop the flag only if it meets the CPU and the RSS target together (#17)',
      measured: `${cpu(smallYoung!)} of a core (${fmt(smallYoung!.cpuPercentOfOneCore / naive!.cpuPercentOfOneCore)}× the naive loop), RSS ${rss(smallYoung!)} (${fmt(smallYoung!.rssMaxMiB / naive!.rssMaxMiB)}×)`,
      met: '-',
    },
  ];
}

/** The groups `npm run bench -- NAME` accepts, in the order the table lists them. */
export const GROUPS: Record<string, (measure: Measure) => Row[]> = {
  dashboard: dashboardRows,
  render: renderRows,
  startup: startupRows,
  simulation: simulationRows,
  io: ioRows,
  swiotlb: (measure) => designRows(measure, 'swiotlb'),
  cluster: (measure) => designRows(measure, 'cluster'),
  memory: (measure) => designRows(measure, 'memory'),
};
