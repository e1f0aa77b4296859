import {describe, expect, it} from 'vitest';
import {GiB, MiB} from '../../src/core/units.js';
import {planConfigChange} from '../../src/host/config-plan.js';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

/** tester15's findings: each test failed on 03f8dc7. */
describe('F2: a refused migrate keeps the documented migration record', () => {
  function refusedAfterFailure() {
    const world = startWorld(defaultConfig(), 3, {seconds: 8});
    expect(world.migrate('web-1', 'beta').ok).toBe(true);
    runChecked(world, 4);
    expect(world.setLinkDown('alpha', 'beta', true).ok).toBe(true);
    runChecked(world, 1);
    const failed = vm(world, 'web-1').migration!;
    expect(failed.status).toBe('failed');
    expect(world.migrate('web-1', 'beta')).toMatchObject({ok: false, code: 'migration-blocked'});
    return {world, failed, refused: vm(world, 'web-1').migration!};
  }

  it("parameters are README's three fields in a refused record as in a running one", () => {
    const {failed, refused} = refusedAfterFailure();
    expect(Object.keys(refused.parameters)).toEqual(Object.keys(failed.parameters));
    expect(Object.keys(refused.parameters)).toEqual([
      'maxBandwidthBytesPerSecond',
      'downtimeLimitMs',
      'autoConverge',
    ]);
  });
});

describe('F4: a reload that edits links says what it changed', () => {
  it('alpha-beta 2GiB -> 64MiB under a running migration: the rate drops and the log names the link', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 8});
    expect(world.migrate('web-1', 'beta', {maxBandwidthBytesPerSecond: BigInt(256 * MiB)}).ok).toBe(true);
    runChecked(world, 3);
    const config = world.config;
    const lines = world.applyConfig({
      ...config,
      links: {...config.links, pairs: [{hosts: ['alpha', 'beta'], bandwidth: 64 * MiB}]},
    });
    runChecked(world, 2);
    expect(vm(world, 'web-1').migration!.ram.mbps).toBeCloseTo((64 * MiB * 8) / 1e6, -1);
    expect(lines).toEqual(['links: alpha-beta 2.0GiB/s -> 64MiB/s']);
    expect(eventsOf(world, null)).toContain('config reloaded: links: alpha-beta 2.0GiB/s -> 64MiB/s');
  });

  it('the default and a dropped pair each get a line; a pair that keeps its rate (alpha-gamma, now named) none', () => {
    const previous = defaultConfig();
    const next = {
      ...previous,
      links: {
        defaultBandwidth: 32 * MiB,
        pairs: [{hosts: ['gamma', 'alpha'] as [string, string], bandwidth: GiB}],
      },
    };
    expect(planConfigChange(previous, next).lines).toEqual([
      'links: default 1.0GiB/s -> 32MiB/s',
      'links: alpha-beta 2.0GiB/s -> 32MiB/s (the default)',
    ]);
    expect(planConfigChange(previous, previous).lines).toEqual([]);
  });
});

describe('F4: owner keys, the other section the cluster takes whole', () => {
  it('a key added or dropped is named, with where it takes effect', () => {
    const previous = defaultConfig();
    const keys = Object.fromEntries(Object.entries(previous.keys).filter(([name]) => name !== 'owner-demo'));
    expect(planConfigChange(previous, {...previous, keys}).lines).toEqual([
      'keys: owner-demo changed (hosts added from now on trust the new set; running ones keep theirs)',
    ]);
  });
});

describe('F1: a secure migration bounded by the source ultravisor export rate says so', () => {
  /** web-1 (secure, alpha, whose ultravisor exports 512 MiB/s) dirtying 700 MiB/s, to beta over 2 GiB/s. */
  function exportBound(maxBandwidth: number) {
    const world = startWorld(defaultConfig(), 3, {seconds: 6});
    expect(
      world.setWorkload('web-1', {profile: 'web', dirtyRate: 700 * MiB, workingSet: 2000 * MiB}).ok,
    ).toBe(true);
    runChecked(world, 2);
    expect(world.migrate('web-1', 'beta', {maxBandwidthBytesPerSecond: BigInt(maxBandwidth)}).ok).toBe(true);
    runChecked(world, 12);
    const migration = vm(world, 'web-1').migration!;
    return {
      world,
      migration,
      way: migration.convergence!.waysOut.find((way) => way.code === 'max-bandwidth')!,
    };
  }

  it('at max-bandwidth 512MiB/s, more max-bandwidth is not offered: the reason names the export rate', () => {
    const {migration, way} = exportBound(512 * MiB);
    expect(migration.ram.mbps).toBeCloseTo((512 * MiB * 8) / 1e6, -1);
    expect(way).toMatchObject({isAvailable: false, proposed: 512 * MiB});
    expect(way.reason).toBe(
      'max-bandwidth: more cannot help: the ultravisor of alpha exports secure pages at 512MiB/s',
    );
  });

  it('at 384MiB/s, it offers up to the export rate and names it, not the link', () => {
    const {way} = exportBound(384 * MiB);
    expect(way).toMatchObject({isAvailable: true, proposed: 512 * MiB});
    expect(way.reason).toBe(
      'max-bandwidth 512MiB/s (now 384MiB/s; the ultravisor of alpha exports secure pages at 512MiB/s)',
    );
  });
});

describe('F3: a balloon target past what the balloon holds says the cut', () => {
  it('legacy-1 (4GiB) asked for a 3GiB balloon gets 3039MiB and is told so, exactly', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 5});
    const answer = world.balloon('legacy-1', 3 * GiB);
    expect(answer).toMatchObject({ok: true});
    expect(answer.ok && answer.message).toBe(
      'target 3039MiB, the most its balloon holds (asked 3072MiB; the guest keeps its kernel, heap and bounce buffers)',
    );
    expect(vm(world, 'legacy-1').balloon!.targetBytes).toBe(3039 * MiB);
  });

  it('a target within the balloon keeps its short answer', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 5});
    expect(world.balloon('legacy-1', GiB)).toMatchObject({ok: true, message: 'target 1.0GiB'});
  });
});
