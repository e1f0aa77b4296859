import {DEFAULT_WORLD_FILE, loadWorldFile} from '../src/host/config/load-world.js';
import {World} from '../src/host/world.js';

/**
 * #17 target 3's yardstick: CPU seconds per simulated second of the default world, headless (no
 * view, no snapshots), in 1 s steps as the dashboard's runner advances it, after the first 30
 * simulated seconds (boot and the secure transitions); best of `rounds` fresh worlds (seed 1).
 */
export function measureSimulationCost(rounds: number, simulatedSeconds: number): number[] {
  const config = loadWorldFile(DEFAULT_WORLD_FILE);
  if (!config.ok) throw new Error(config.error);
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const world = new World(config.value, {seed: 1});
    world.start();
    world.advanceTo(30_000_000);
    (globalThis as {gc?: () => void}).gc?.();
    const start = process.cpuUsage();
    for (let second = 0; second < simulatedSeconds; second++) world.advanceBy(1_000_000);
    const used = process.cpuUsage(start);
    perRound.push((used.user + used.system) / 1e6 / simulatedSeconds);
  }
  return perRound;
}
