import pty from '@lydell/node-pty';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A program to watch in a pseudo-terminal: `command` with `args`, quit by `quitKey` or SIGTERM. */
export interface Program {
  readonly command: string;
  readonly args: readonly string[];
  readonly quitKey?: string;
}

export interface FootprintResult {
  readonly seconds: number;
  readonly cpuPercentOfOneCore: number;
  readonly rssMiB: number;
  readonly rssMaxMiB: number;
  readonly bytesWrittenPerSecond: number;
}

/** The process and all its descendants, from /proc (threads' children included). */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    for (const task of readdirOr(`/proc/${tree[index]}/task`)) {
      try {
        const children = readFileSync(`/proc/${tree[index]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(' ').map(Number));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return tree;
}

function readdirOr(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return []; // exited since it was listed
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** CPU ticks of the whole tree: each process's own and those of its children it has reaped. */
export function treeCpuTicks(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const fields = readOr(`/proc/${member}/stat`).split(') ')[1]?.split(' ') ?? [];
    ticks +=
      Number(fields[11] ?? 0) + Number(fields[12] ?? 0) + Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  }
  return ticks;
}

/** Resident memory of the whole tree in MiB. */
export function treeRssMiB(pid: number): number {
  let kib = 0;
  for (const member of processTree(pid)) {
    const line = readOr(`/proc/${member}/status`)
      .split('\n')
      .find((entry) => entry.startsWith('VmRSS:'));
    kib += Number(line?.split(/\s+/)[1] ?? 0);
  }
  return kib / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts every program at once in its own pseudo-terminal of the same size, lets them settle,
 * then measures each one's process tree over the same `seconds` of wall time: CPU (from /proc),
 * RSS (sampled each second) and bytes written to the terminal. Measuring them side by side
 * means the neighbours on a shared machine weigh on all of them alike.
 */
export async function measureFootprints(
  programs: readonly Program[],
  window: {seconds: number; settleSeconds: number; columns: number; rows: number},
): Promise<FootprintResult[]> {
  const configHome = mkdtempSync(join(tmpdir(), 'svmtop-bench-'));
  const children = programs.map((program, index) => {
    const child = pty.spawn(program.command, [...program.args], {
      name: 'xterm-256color',
      cols: window.columns,
      rows: window.rows,
      env: {...process.env, TERM: 'xterm-256color', XDG_CONFIG_HOME: `${configHome}/${index}`} as Record<
        string,
        string
      >,
    });
    const state = {child, written: 0, exited: new Promise<void>((resolve) => child.onExit(() => resolve()))};
    child.onData((data) => (state.written += data.length));
    return state;
  });
  await sleep(window.settleSeconds * 1000);
  const startTicks = children.map(({child}) => treeCpuTicks(child.pid));
  const startWritten = children.map(({written}) => written);
  const rssMax = children.map(() => 0);
  const start = performance.now();
  for (let second = 0; second < window.seconds; second++) {
    await sleep(1000);
    children.forEach(({child}, index) => (rssMax[index] = Math.max(rssMax[index]!, treeRssMiB(child.pid))));
  }
  const elapsed = (performance.now() - start) / 1000;
  const results = children.map(({child, written}, index) => ({
    seconds: elapsed,
    cpuPercentOfOneCore: ((treeCpuTicks(child.pid) - startTicks[index]!) / TICKS_PER_SECOND / elapsed) * 100,
    rssMiB: treeRssMiB(child.pid),
    rssMaxMiB: rssMax[index]!,
    bytesWrittenPerSecond: (written - startWritten[index]!) / elapsed,
  }));
  children.forEach(({child}, index) => {
    const quitKey = programs[index]!.quitKey;
    if (quitKey) child.write(quitKey);
    else child.kill('SIGTERM');
  });
  const stragglers = setTimeout(() => children.forEach(({child}) => child.kill('SIGKILL')), 10_000);
  await Promise.all(children.map(({exited}) => exited));
  clearTimeout(stragglers);
  rmSync(configHome, {recursive: true, force: true});
  return results;
}

/**
 * `measureFootprints` twice, the programs started in the given order and then in reverse, each
 * result the mean of its two passes (the max RSS the larger; `seconds` one pass's window).
 * Side-by-side rounds of two svmtop builds read about 10% lower for whichever was started first,
 * so one order would favour it; a pair compared must sit at mirror places in `programs`.
 */
export async function measureFootprintsBothOrders(
  programs: readonly Program[],
  window: {seconds: number; settleSeconds: number; columns: number; rows: number},
): Promise<FootprintResult[]> {
  const forward = await measureFootprints(programs, window);
  const backward = (await measureFootprints([...programs].reverse(), window)).reverse();
  return forward.map((first, index) => meanOfPasses(first, backward[index]!));
}

function meanOfPasses(first: FootprintResult, second: FootprintResult): FootprintResult {
  return {
    seconds: (first.seconds + second.seconds) / 2,
    cpuPercentOfOneCore: (first.cpuPercentOfOneCore + second.cpuPercentOfOneCore) / 2,
    rssMiB: (first.rssMiB + second.rssMiB) / 2,
    rssMaxMiB: Math.max(first.rssMaxMiB, second.rssMaxMiB),
    bytesWrittenPerSecond: (first.bytesWrittenPerSecond + second.bytesWrittenPerSecond) / 2,
  };
}
