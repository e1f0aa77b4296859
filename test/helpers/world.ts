import {DEFAULT_WORLD_FILE, loadWorldFile, parseWorldText} from '../../src/host/config/load-world.js';
import type {WorldConfig} from '../../src/host/config/world-schema.js';
import {checkInvariants} from '../../src/host/invariants.js';
import type {VmSnapshot} from '../../src/host/snapshot-types.js';
import {World} from '../../src/host/world.js';

export function defaultConfig(): WorldConfig {
  const result = loadWorldFile(DEFAULT_WORLD_FILE);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** A world from YAML text; throws with the loader's message when invalid. */
export function configFromYaml(text: string): WorldConfig {
  const result = parseWorldText('test.yaml', text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** The loader's error for YAML `text` without its file name (`w.yaml: `), or 'ok' when it loads. */
export function worldError(text: string): string {
  const result = parseWorldText('w.yaml', text);
  return result.ok ? 'ok' : result.error.replace(/^w\.yaml: /, '');
}

/**
 * Simulated seconds a test world runs after its start: in half-second steps with the invariants
 * checked after each (runChecked), or, `unchecked`, in one advanceTo.
 */
export interface StartRun {
  readonly seconds: number;
  readonly unchecked?: true;
}

/** A started world from a config or world YAML text (worldYaml's); runs `run` when given. */
export function startWorld(config: WorldConfig | string, seed = 1, run?: StartRun): World {
  const world = new World(typeof config === 'string' ? configFromYaml(config) : config, {seed});
  world.start();
  if (run?.unchecked) world.advanceTo(run.seconds * 1_000_000);
  else if (run) runChecked(world, run.seconds);
  return world;
}

/** Advances in half-second steps, checking DESIGN §6's invariants after each. */
export function runChecked(world: World, seconds: number): void {
  const end = world.nowUs + seconds * 1_000_000;
  while (world.nowUs < end) {
    world.advanceTo(Math.min(end, world.nowUs + 500_000));
    const problems = checkInvariants(world);
    if (problems.length > 0)
      throw new Error(
        `invariants broken at t=${world.nowUs / 1e6}s (seed ${world.seed}):\n${problems.join('\n')}`,
      );
  }
}

export function vm(world: World, name: string): VmSnapshot {
  const found = world.getSnapshot().vms.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no vm ${name}`);
  return found;
}

export function device(world: World, name: string, type: string) {
  const found = vm(world, name).devices.find((candidate) => candidate.type === type);
  if (!found) throw new Error(`no ${type} on ${name}`);
  return found;
}

/** Keys of the default world, so test worlds can carry valid tickets. */
export const DEMO_KEYS = `keys:
  owner-demo: EQLYysu0Ao7SFDg5MgAqsAxZaU4/Bk2DIFK+CzmzsZY=
  rogue-owner: wJA9ZuOsS4QxlO1/B1uwAzP++StnZZ8xF48XisND3tc=`;

export function eventsOf(world: World, name: string | null): string[] {
  return world.events.recent(100_000, name ?? undefined).map((event) => event.message);
}
