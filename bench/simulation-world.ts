/**
 * One process of the simulation benchmark: `node --expose-gc --import tsx bench/simulation-world.ts
 * ROOT ROUNDS SECONDS` loads the World of the source tree at ROOT (this checkout, or an older
 * build's tree that bench/simulation-cost.ts exported) and prints, as one JSON line, the CPU
 * seconds per simulated second of each of ROUNDS fresh default worlds (seed 1), measured over
 * SECONDS simulated seconds in 1 s steps after the first 30 (boot and the secure transitions), as
 * the dashboard's runner advances it: headless, no view, no snapshots while timed. Beside them,
 * how many device requests the world completed per simulated second in that window (read from
 * snapshots taken outside the timed part), so two builds' worlds can be compared by their work.
 *
 * It uses only what the World's facade has offered since before #17 (`loadWorldFile`,
 * `DEFAULT_WORLD_FILE`, `new World(config, {seed})`, `start`, `advanceTo`, `advanceBy`), so the
 * same file measures both builds, each on its own config/default.yaml.
 */
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {cpuSecondsOf} from './timing.js';

interface WorldLike {
  getSnapshot(): {vms: ReadonlyArray<{devices?: ReadonlyArray<{completed?: number}>}>};
  start(): void;
  advanceTo(timeUs: number): void;
  advanceBy(deltaUs: number): void;
}
interface Loader {
  DEFAULT_WORLD_FILE: string;
  loadWorldFile(file: string): {ok: true; value: unknown} | {ok: false; error: string};
}
type WorldClass = new (config: unknown, options: {seed: number}) => WorldLike;

const BOOT_US = 30_000_000;
const STEP_US = 1_000_000;

const [root, roundsText, secondsText] = process.argv.slice(2);
if (!root || !roundsText || !secondsText) throw new Error('usage: simulation-world.ts ROOT ROUNDS SECONDS');
const loader = (await import(pathToFileURL(`${root}/src/host/config/load-world.ts`).href)) as Loader;
const {World} = (await import(pathToFileURL(`${root}/src/host/world.ts`).href)) as {World: WorldClass};
const config = loader.loadWorldFile(loader.DEFAULT_WORLD_FILE);
if (!config.ok) throw new Error(config.error);

/** Device requests completed so far, over every VM's devices (snapshot fields since before #17). */
const completed = (world: WorldLike) =>
  world
    .getSnapshot()
    .vms.reduce(
      (sum, vm) => sum + (vm.devices ?? []).reduce((own, device) => own + (device.completed ?? 0), 0),
      0,
    );

const seconds = Number(secondsText);
const perRound: number[] = [];
let requestsPerSecond = 0;
for (let round = 0; round < Number(roundsText); round++) {
  const world = new World(config.value, {seed: 1});
  world.start();
  world.advanceTo(BOOT_US);
  const completedBefore = completed(world);
  const cpuSeconds = cpuSecondsOf(() => {
    for (let second = 0; second < seconds; second++) world.advanceBy(STEP_US);
  });
  perRound.push(cpuSeconds / seconds);
  requestsPerSecond = (completed(world) - completedBefore) / seconds;
}
process.stdout.write(`\n${JSON.stringify({cpuSecondsPerSecond: perRound, requestsPerSecond})}\n`);
