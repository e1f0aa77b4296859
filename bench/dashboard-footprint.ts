import {readFileSync} from 'node:fs';
import pty from '@lydell/node-pty';
import {fileURLToPath} from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The naive loop next to this file: bundled beside `npm run bench`'s bundle, or run through tsx. */
export const NAIVE_INK_LOOP = import.meta.url.endsWith('.ts')
  ? ['--import', 'tsx', fileURLToPath(new URL('naive-ink-loop.tsx', import.meta.url))]
  : [fileURLToPath(new URL('naive-ink-loop.mjs', import.meta.url))];
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface FootprintResult {
  readonly seconds: number;
  readonly cpuPercentOfOneCore: number;
  readonly rssMiB: number;
  readonly rssMaxMiB: number;
  readonly bytesWrittenPerSecond: number;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/**
 * Starts the dashboard in a pseudo-terminal on the default world, lets it settle, then measures
 * its CPU (from /proc, simulation and rendering together) and RSS over `seconds` of wall time.
 * `program` replaces the dashboard by another script (the naive Ink loop), stopped by SIGTERM.
 */
export async function measureDashboard(options: {
  seconds: number;
  columns: number;
  rows: number;
  settleSeconds: number;
  args?: string[];
  nodeFlags?: string[];
  program?: string[];
}): Promise<FootprintResult> {
  const program = options.program ?? [CLI];
  const child = pty.spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...program, ...(options.args ?? [])],
    {
      name: 'xterm-256color',
      cols: options.columns,
      rows: options.rows,
      env: {
        ...process.env,
        TERM: 'xterm-256color',
        XDG_CONFIG_HOME: `/tmp/svmtop-bench-${process.pid}`,
      } as Record<string, string>,
    },
  );
  let written = 0;
  child.onData((data) => (written += data.length));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(options.settleSeconds * 1000);
  const startTicks = cpuTicks(child.pid);
  const startWritten = written;
  const start = performance.now();
  let rssMax = 0;
  for (let second = 0; second < options.seconds; second++) {
    await sleep(1000);
    rssMax = Math.max(rssMax, rssMiB(child.pid));
  }
  const elapsed = (performance.now() - start) / 1000;
  const ticks = cpuTicks(child.pid) - startTicks;
  const rss = rssMiB(child.pid);
  const bytes = written - startWritten;
  const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
  if (options.program) child.kill('SIGTERM');
  else child.write('q');
  await exited;
  return {
    seconds: elapsed,
    cpuPercentOfOneCore: (ticks / TICKS_PER_SECOND / elapsed) * 100,
    rssMiB: rss,
    rssMaxMiB: rssMax,
    bytesWrittenPerSecond: bytes / elapsed,
  };
}

if (process.argv[1]?.endsWith('dashboard-footprint.ts')) {
  const seconds = Number(process.argv[2] ?? 20);
  const args = process.env.FOOTPRINT_ARGS ? process.env.FOOTPRINT_ARGS.split(' ') : [];
  const nodeFlags = process.argv.slice(3);
  const result = await measureDashboard({
    seconds,
    columns: 120,
    rows: 40,
    settleSeconds: Number(process.env.SETTLE ?? 15),
    nodeFlags,
    args,
  });
  console.log(JSON.stringify(result));
}
