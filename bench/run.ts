/**
 * `npm run bench`: DESIGN §7's targets, each measured in this run, as a table.
 * BENCH_QUICK=1 shortens every measurement (for a smoke run).
 */
import {MiB, KiB} from '../src/core/units.js';
import {bigWorld} from './big-world.js';
import {measureClusterSpeed} from './cluster-speed.js';
import {measureDashboard, NAIVE_INK_LOOP} from './dashboard-footprint.js';
import {measureBouncedIo} from './io-throughput.js';
import {measureRender} from './render-cost.js';
import {measureSparseMemory} from './sparse-memory.js';
import {measureMapUnmap} from './swiotlb-cost.js';

process.env.NODE_ENV = 'production';
const quick = process.env.BENCH_QUICK === '1';
const only = process.argv[2];
const BENCHMARKS = ['io', 'swiotlb', 'cluster', 'memory', 'render', 'dashboard'];

if (!only) {
  // Each benchmark in a fresh process, so one's heap and garbage do not weigh on the next.
  const {spawnSync} = await import('node:child_process');
  const {fileURLToPath} = await import('node:url');
  const self = fileURLToPath(import.meta.url);
  const table: string[] = [];
  for (const name of BENCHMARKS) {
    // `npm run bench` runs a bundle built like the app (no tsx wrappers around every closure).
    const loader = self.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawnSync(process.execPath, ['--expose-gc', ...loader, self, name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    table.push(
      ...child.stdout
        .split('\n')
        .filter(
          (line) => line.startsWith('| ') && !line.startsWith('| benchmark') && !line.startsWith('| ---'),
        ),
    );
  }
  console.log(
    `\nsvmtop benchmarks — node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (BENCH_QUICK)' : ''}\n`,
  );
  console.log('| benchmark | target | measured | met |');
  console.log('| --- | --- | --- | --- |');
  for (const row of table) console.log(row);
  process.exit(0);
}

interface Row {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly isMet: boolean | null;
}

const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  console.error(`  ${row.name}: ${row.measured}`);
};
const fmt = (value: number, digits = 2) => value.toFixed(digits);

if (!only || only === 'io') {
  for (const [size, target] of [
    [64 * KiB, 0.3],
    [4 * KiB, 0.1],
  ] as const) {
    const result = measureBouncedIo(size, quick ? 64 * MiB : 512 * MiB);
    report({
      name: `bounced blk I/O, ${size / KiB} KiB requests (write + verified read-back, secure guest, swiotlb)`,
      target: `≥ ${target}× Buffer.copy`,
      measured: `${fmt(result.ratio, 3)}× (${fmt(result.bytesPerSecond / MiB, 0)} MiB/s vs copy ${fmt(result.baselineBytesPerSecond / MiB, 0)} MiB/s)`,
      isMet: result.ratio >= target,
    });
  }
}

if (!only || only === 'swiotlb') {
  const pairs = quick ? 20_000 : 200_000;
  // Alternating rounds, best of five each: neighbours on this machine only ever add time, and the
  // large pool, being bound by memory, is the one their bursts hit.
  let small = Infinity;
  let large = Infinity;
  for (let round = 0; round < 5; round++) {
    small = Math.min(small, measureMapUnmap(64 * MiB, 4, pairs));
    large = Math.min(large, measureMapUnmap(1024 * MiB, 4, pairs));
  }
  report({
    name: 'swiotlb map+unmap of 4 KiB at 50% occupancy, 64 MiB vs 1 GiB pool',
    target: 'within 1.5×',
    measured: `${fmt(small, 0)} ns vs ${fmt(large, 0)} ns per pair (${fmt(large / small)}×)`,
    isMet: large / small <= 1.5,
  });
}

if (!only || only === 'cluster') {
  const result = measureClusterSpeed(200, quick ? 10 : 60);
  report({
    name: `200 guests, devices busy (${fmt(result.requestsPerSimulatedSecond, 0)} req/s, ${fmt(result.bytesPerSimulatedSecond / MiB, 0)} MiB/s), ${result.migrationsStarted} concurrent migrations`,
    target: '≤ 0.5 CPU-s per simulated s',
    measured: `${fmt(result.cpuSecondsPerSimulatedSecond, 3)} CPU-s/s over ${result.simulatedSeconds} s (RSS ${fmt(result.rssMiB, 0)} MiB)`,
    isMet: result.cpuSecondsPerSimulatedSecond <= 0.5,
  });
}

if (!only || only === 'memory') {
  const result = measureSparseMemory(40, 20);
  report({
    name: '40 guests of 8 GiB each (320 GiB of guest memory), booted and running 20 s',
    target: 'only touched pages cost memory',
    measured: `${fmt(result.materializedMiB, 0)} MiB materialised, process RSS ${fmt(result.rssMiB, 0)} MiB`,
    isMet: result.rssMiB < 2048,
  });
}

if (!only || only === 'render') {
  const result = await measureRender(bigWorld(200), {
    frames: quick ? 20 : 120,
    columns: 120,
    rows: 40,
    tab: 'devices',
  });
  const sorted = [...result.frameMs].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  report({
    name: 'dashboard frame with 200 guests, 120×40, devices tab (snapshot + React + Ink)',
    target: 'p99 ≤ 20 ms',
    measured: `p50 ${fmt(sorted[Math.floor(sorted.length / 2)]!)} ms, p99 ${fmt(p99)} ms over ${sorted.length} frames`,
    isMet: p99 <= 20,
  });
}

if (!only || only === 'dashboard') {
  const seconds = quick ? 10 : 60;
  const window = {seconds, columns: 120, rows: 40};
  const result = await measureDashboard({...window, settleSeconds: quick ? 8 : 45});
  // #6's yardstick, measured here rather than quoted: what Ink alone costs on this machine.
  const naive = await measureDashboard({...window, settleSeconds: quick ? 3 : 10, program: NAIVE_INK_LOOP});
  report({
    name: `dashboard on the default world in a pty, 120×40, 1 s refresh, ${seconds} s (simulation included)`,
    target: '≤ 0.5% of a core, ≤ 100 MiB RSS',
    measured: `${fmt(result.cpuPercentOfOneCore)}% of a core, RSS ${fmt(result.rssMiB, 0)} MiB (max ${fmt(result.rssMaxMiB, 0)}), ${fmt(result.bytesWrittenPerSecond, 0)} B/s to the terminal`,
    isMet: result.cpuPercentOfOneCore <= 0.5 && result.rssMaxMiB <= 100,
  });
  report({
    name: `reference: a naive Ink loop redrawing 30 rows once a second, same pty, same ${seconds} s`,
    target: '(#6 quotes about 1.6%)',
    measured: `${fmt(naive.cpuPercentOfOneCore)}% of a core, RSS ${fmt(naive.rssMiB, 0)} MiB (max ${fmt(naive.rssMaxMiB, 0)})`,
    isMet: null,
  });
}

console.log(
  `\nsvmtop benchmarks — node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (BENCH_QUICK)' : ''}\n`,
);
console.log('| benchmark | target | measured | met |');
console.log('| --- | --- | --- | --- |');
for (const row of rows)
  console.log(
    `| ${row.name} | ${row.target} | ${row.measured} | ${row.isMet === null ? '-' : row.isMet ? 'yes' : 'no'} |`,
  );
