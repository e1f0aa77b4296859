/**
 * Diagnostic, not a row: `node --expose-gc --import tsx bench/simulation-rounds.ts ROOT ROUNDS SECONDS`
 * runs ROUNDS fresh default worlds of the tree at ROOT in one process, as bench/simulation-world.ts
 * does (seed 1, timed after the first 30 simulated s, 1 s steps), and prints per round the CPU per
 * simulated second split into the main thread (the simulation) and the process's other threads
 * (V8's background compiler and GC helpers), read from /proc (Linux; 10 ms ticks). It shows how
 * much of a round is the JIT settling rather than the simulation: the simulation row takes the
 * best of two rounds per process, and a second round can still carry a TurboFan compile.
 */
import {readdirSync, readFileSync} from 'node:fs';
import process from 'node:process';
import {pathToFileURL} from 'node:url';

interface WorldLike {
  start(): void;
  advanceTo(timeUs: number): void;
  advanceBy(deltaUs: number): void;
}
type WorldClass = new (config: unknown, options: {seed: number}) => WorldLike;

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) of each thread of this process, by thread id. */
function threadCpuMs(): Map<string, number> {
  const byThread = new Map<string, number>();
  for (const thread of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byThread.set(thread, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND);
  }
  return byThread;
}

const [root, roundsText, secondsText] = process.argv.slice(2);
if (!root || !roundsText || !secondsText) throw new Error('usage: simulation-rounds.ts ROOT ROUNDS SECONDS');
const loader = (await import(pathToFileURL(`${root}/src/host/config/load-world.ts`).href)) as {
  DEFAULT_WORLD_FILE: string;
  loadWorldFile(file: string): {ok: true; value: unknown} | {ok: false; error: string};
};
const {World} = (await import(pathToFileURL(`${root}/src/host/world.ts`).href)) as {World: WorldClass};
const config = loader.loadWorldFile(loader.DEFAULT_WORLD_FILE);
if (!config.ok) throw new Error(config.error);

const seconds = Number(secondsText);
const mainThread = `${process.pid}`;
for (let round = 0; round < Number(roundsText); round++) {
  const world = new World(config.value, {seed: 1});
  world.start();
  world.advanceTo(30_000_000);
  (globalThis as {gc?: () => void}).gc?.();
  const before = threadCpuMs();
  const start = process.cpuUsage();
  for (let second = 0; second < seconds; second++) world.advanceBy(1_000_000);
  const used = process.cpuUsage(start);
  const after = threadCpuMs();
  let otherMs = 0;
  for (const [thread, ms] of after) if (thread !== mainThread) otherMs += ms - (before.get(thread) ?? 0);
  const mainMs = after.get(mainThread)! - before.get(mainThread)!;
  const perSecond = (ms: number) => (ms / seconds).toFixed(2);
  process.stdout.write(
    `round ${round}: ${perSecond((used.user + used.system) / 1000)} ms CPU per simulated s (main thread ${perSecond(mainMs)}, other threads ${perSecond(otherMs)})\n`,
  );
}
