import {World} from '../src/host/world.js';
import {bigWorld} from './big-world.js';
import {cpuSecondsOf} from './timing.js';

export interface ClusterSpeedResult {
  readonly guests: number;
  readonly simulatedSeconds: number;
  readonly cpuSeconds: number;
  readonly cpuSecondsPerSimulatedSecond: number;
  readonly requestsPerSimulatedSecond: number;
  readonly bytesPerSimulatedSecond: number;
  readonly migrationsStarted: number;
  readonly rssMiB: number;
}

/**
 * 200 guests (by default) with busy devices, booted and secure where configured, then
 * `simulatedSeconds` of simulation with several concurrent migrations; CPU time by cpuSecondsOf.
 */
export function measureClusterSpeed(guests: number, simulatedSeconds: number): ClusterSpeedResult {
  const world = new World(bigWorld(guests), {seed: 7});
  world.start();
  world.advanceTo(15_000_000);
  let migrations = 0;
  for (let index = 2; index < guests && migrations < 6; index += 25) {
    const vm = `vm${index}`;
    const guest = world.guest(vm)!;
    const target = guest.host.name === 'h1' ? 'h5' : 'h1';
    if (world.migrate(vm, target, {maxBandwidthBytesPerSecond: BigInt(512 * 1024 * 1024)}).ok) migrations++;
  }
  const requestsBefore = countRequests(world);
  const bytesBefore = countBytes(world);
  const cpuSeconds = cpuSecondsOf(() => world.advanceBy(simulatedSeconds * 1_000_000));
  return {
    guests,
    simulatedSeconds,
    cpuSeconds,
    cpuSecondsPerSimulatedSecond: cpuSeconds / simulatedSeconds,
    requestsPerSimulatedSecond: (countRequests(world) - requestsBefore) / simulatedSeconds,
    bytesPerSimulatedSecond: (countBytes(world) - bytesBefore) / simulatedSeconds,
    migrationsStarted: migrations,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
}

function countRequests(world: World): number {
  let total = 0;
  for (const vm of world.getSnapshot().vms)
    for (const device of vm.devices) total += device.completed + device.failed;
  return total;
}

function countBytes(world: World): number {
  let total = 0;
  for (const vm of world.getSnapshot().vms)
    for (const device of vm.devices) total += device.bytesToDevice + device.bytesFromDevice;
  return total;
}
