import {runStep} from '../src/host/command-dispatch.js';
import {DMA_POLICIES, type WorldConfig} from '../src/host/config/world-schema.js';
import type {ScenarioStep} from '../src/host/config/scenario-schema.js';
import {checkInvariants} from '../src/host/invariants.js';
import {Rng} from '../src/core/rng.js';
import {World} from '../src/host/world.js';

export interface SoakOptions {
  readonly config: WorldConfig;
  readonly seed: number;
  readonly simulatedSeconds: number;
  /** Simulated seconds per wall second; 0 runs as fast as possible. */
  readonly speed: number;
  /** Simulated seconds to run before the first RSS reading (warm-up). */
  readonly warmupSeconds: number;
}

export interface SoakReport {
  readonly seed: number;
  readonly simulatedSeconds: number;
  readonly commands: number;
  readonly commandsRefused: number;
  readonly faults: number;
  readonly invariantChecks: number;
  readonly eventsBySeverity: Record<string, number>;
  readonly integrityErrors: number;
  readonly completedRequests: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly rssGrowthPercent: number;
  /** JavaScript heap plus buffers in use after a collection: what a leak would grow. */
  readonly liveStartMiB: number;
  readonly liveEndMiB: number;
  /** Guest data held (materialised guest pages and written disk chunks): state, not overhead. */
  readonly guestDataStartMiB: number;
  readonly guestDataEndMiB: number;
  /** RSS growth less the growth of guest data, as a share of the starting RSS. */
  readonly overheadGrowthPercent: number;
  readonly wallSeconds: number;
}

const COMMANDS = [
  'secure',
  'unsecure',
  'reboot',
  'pause',
  'resume',
  'balloon',
  'policy',
  'migrate',
  'migrate-cancel',
  'fault',
  'workload',
] as const;

/** One random command, as a user or a fault injector would send it. */
export function randomStep(rng: Rng, world: World): ScenarioStep {
  const vm = rng.pick([...world.guests.keys()]);
  const at = world.nowUs;
  const command = rng.pick(COMMANDS);
  switch (command) {
    case 'balloon':
      return {
        do: 'balloon',
        at,
        vm,
        target: rng.pick([0, 256, 512, 1024]) * 1024 * 1024,
        force: rng.chance(0.3),
      };
    case 'policy':
      return {do: 'policy', at, vm, policy: rng.pick(DMA_POLICIES)};
    case 'workload':
      return {do: 'workload', at, vm, workload: rng.pick(['idle', 'web', 'db', 'stream', 'churn'] as const)};
    case 'migrate':
      return {
        do: 'migrate',
        at,
        vm,
        to: rng.pick([...world.hosts.keys()]),
        maxBandwidth: rng.pick([128, 512, 2048]) * 1024 * 1024,
        autoConverge: rng.chance(0.5),
      };
    case 'fault': {
      const kind = rng.pick([
        'link-down',
        'link-up',
        'key-exchange',
        'crash',
        'malformed-chain',
        'swiotlb-exhaustion',
      ] as const);
      if (kind === 'link-down' || kind === 'link-up') {
        const hosts = [...world.hosts.keys()];
        return {do: 'fault', at, kind, hosts: [rng.pick(hosts), rng.pick(hosts)] as [string, string]};
      }
      return {do: 'fault', at, kind, vm};
    }
    default:
      return {do: command, at, vm};
  }
}

/**
 * Random commands (seeded) against a world, with DESIGN §6's invariants checked after every step.
 * Throws, naming the seed, when an invariant breaks.
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const world = new World(options.config, {seed: options.seed});
  const rng = new Rng(options.seed).fork('soak');
  world.start();
  const wallStart = performance.now();
  let commands = 0;
  let refused = 0;
  let faults = 0;
  let checks = 0;
  let rssStart = 0;
  let liveStart = 0;
  let dataStart = 0;
  const endUs = options.simulatedSeconds * 1_000_000;
  const warmupUs = options.warmupSeconds * 1_000_000;
  while (world.nowUs < endUs) {
    const nextUs = Math.min(endUs, world.nowUs + rng.int(200, 4000) * 1000);
    world.advanceTo(nextUs);
    if (rssStart === 0 && world.nowUs >= warmupUs) {
      rssStart = measureRss();
      liveStart = measureLive();
      dataStart = guestDataMiB(world);
    }
    if (world.nowUs >= 3_000_000 && world.nowUs < endUs) {
      // Links come back up half the time so migrations keep being possible.
      const step = randomStep(rng, world);
      const result = runStep(world, step);
      commands++;
      if (step.do === 'fault') faults++;
      if (!result.ok) refused++;
    }
    const problems = checkInvariants(world);
    checks++;
    if (problems.length > 0)
      throw new Error(`soak seed ${options.seed} at t=${world.nowUs / 1e6}s: ${problems.join('; ')}`);
    if (options.speed > 0) {
      const aheadMs = world.nowUs / 1000 / options.speed - (performance.now() - wallStart);
      if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
    }
  }
  const snapshot = world.getSnapshot();
  let integrityErrors = 0;
  let completed = 0;
  for (const vm of snapshot.vms) {
    for (const device of vm.devices) {
      integrityErrors += device.integrityErrors;
      completed += device.completed;
    }
  }
  const rssEnd = measureRss();
  const liveEnd = measureLive();
  const dataEnd = guestDataMiB(world);
  if (rssStart === 0) rssStart = rssEnd;
  if (liveStart === 0) liveStart = liveEnd;
  if (dataStart === 0) dataStart = dataEnd;
  return {
    seed: options.seed,
    simulatedSeconds: options.simulatedSeconds,
    commands,
    commandsRefused: refused,
    faults,
    invariantChecks: checks,
    eventsBySeverity: {...world.events.countsBySeverity},
    integrityErrors,
    completedRequests: completed,
    rssStartMiB: rssStart,
    rssEndMiB: rssEnd,
    rssGrowthPercent: ((rssEnd - rssStart) / rssStart) * 100,
    liveStartMiB: liveStart,
    liveEndMiB: liveEnd,
    guestDataStartMiB: dataStart,
    guestDataEndMiB: dataEnd,
    overheadGrowthPercent: ((rssEnd - rssStart - (dataEnd - dataStart)) / rssStart) * 100,
    wallSeconds: (performance.now() - wallStart) / 1000,
  };
}

function guestDataMiB(world: World): number {
  let bytes = 0;
  for (const guest of world.guests.values())
    bytes += guest.memory.materializedPageCount * 65_536 + (guest.disk?.allocatedBytes ?? 0);
  return bytes / 2 ** 20;
}

function measureLive(): number {
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 2 ** 20;
}

function measureRss(): number {
  (globalThis as {gc?: () => void}).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}
