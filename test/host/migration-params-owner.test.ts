import {describe, expect, it} from 'vitest';
import {MIGRATION_DEFAULTS} from '../../src/host/migration/migration-params.js';
import type {World} from '../../src/host/world.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {startWorld} from '../helpers/world.js';

/** One idle guest on uv1, booted. */
function booted(): World {
  return startWorld(worldYaml([{devices: '[]', workload: 'idle'}]), 5, {seconds: 4, unchecked: true});
}

const set = (world: World, params: {maxBandwidthBytesPerSecond?: bigint; downtimeLimitMs?: number}) =>
  world.command('g1', {do: 'migrate-set-parameters', params});
const paramsOf = (world: World) => new WorldPort(world).migrationParams('g1');

describe("a VM's migration parameters are its own", () => {
  it('a config reload that recreates the VM starts it from the defaults, as a new QEMU does', () => {
    const world = booted();
    expect(set(world, {downtimeLimitMs: 900})).toMatchObject({ok: true});
    expect(world.command('g1', {do: 'migrate-set-capabilities', autoConverge: true})).toMatchObject({
      ok: true,
    });
    expect(paramsOf(world)).toMatchObject({downtimeLimitMs: 900, autoConverge: true});
    world.applyConfig({
      ...world.config,
      guests: world.config.guests.map((guest) => ({...guest, memory: guest.memory * 2})),
    });
    expect(paramsOf(world)).toEqual(MIGRATION_DEFAULTS);
  });

  it('a live config change keeps them (the same QEMU)', () => {
    const world = booted();
    expect(set(world, {downtimeLimitMs: 900})).toMatchObject({ok: true});
    world.applyConfig({
      ...world.config,
      guests: world.config.guests.map((guest) => ({...guest, dmaPolicy: 'force-dma-api' as const})),
    });
    expect(paramsOf(world).downtimeLimitMs).toBe(900);
  });
});

describe('migrate-set-parameters: one check and one store, whatever the migration is doing', () => {
  for (const state of ['idle', 'migrating'] as const) {
    const inState = () => {
      const world = booted();
      if (state === 'migrating') expect(world.migrate('g1', 'uv2').ok).toBe(true);
      return world;
    };

    it(`(${state}) a value out of range is refused with the same code and words, and nothing changes`, () => {
      const world = inState();
      const before = paramsOf(world);
      expect(set(world, {maxBandwidthBytesPerSecond: 0n})).toEqual({
        ok: false,
        code: 'bad-parameter',
        reason: 'max-bandwidth 0B/s never moves a page (at least 1B/s)',
      });
      expect(paramsOf(world)).toEqual(before);
    });

    it(`(${state}) a dry run answers as the run would and changes nothing`, () => {
      const world = inState();
      const command = {do: 'migrate-set-parameters', params: {downtimeLimitMs: 700}} as const;
      const answer = world.check('g1', command);
      expect(answer.ok).toBe(true);
      expect(paramsOf(world).downtimeLimitMs).toBe(300);
      expect(world.activeMigration('g1')?.params.downtimeLimitMs ?? 300).toBe(300);
      expect(world.command('g1', command)).toEqual(answer);
      expect(paramsOf(world).downtimeLimitMs).toBe(700);
      if (state === 'migrating') expect(world.activeMigration('g1')!.params.downtimeLimitMs).toBe(700);
    });
  }

  it('a capability is refused while migrating and kept for the next migration when idle', () => {
    const world = booted();
    expect(world.command('g1', {do: 'migrate-set-capabilities', autoConverge: true})).toMatchObject({
      ok: true,
    });
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    expect(world.activeMigration('g1')!.params.autoConverge).toBe(true);
    expect(world.command('g1', {do: 'migrate-set-capabilities', autoConverge: false})).toMatchObject({
      ok: false,
      code: 'migrating',
    });
    expect(paramsOf(world).autoConverge).toBe(true);
  });

  it('a restart with a value out of range on an idle VM names the value before the missing migration', () => {
    // One check before any action (command-dispatch.ts withParams), as QEMU checks parameters first.
    const world = booted();
    expect(
      world.command('g1', {do: 'migrate-restart', params: {maxBandwidthBytesPerSecond: 0n}}),
    ).toMatchObject({ok: false, code: 'bad-parameter'});
    expect(world.command('g1', {do: 'migrate-restart', params: {downtimeLimitMs: 500}})).toMatchObject({
      ok: false,
      code: 'not-migrating',
    });
    expect(paramsOf(world).downtimeLimitMs).toBe(300);
  });
});
