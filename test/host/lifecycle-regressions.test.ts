import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE} from '../../src/core/guest-memory.js';
import {checkInvariants} from '../../src/host/invariants.js';
import {initialLifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

/** Advances to `seconds` (absolute) in checked half-second steps. */
function runTo(world: World, seconds: number): void {
  runChecked(world, seconds - world.nowUs / 1e6);
}

describe('#12: a command answered ok always happens', () => {
  it('secure in the probe phase (legacy-1 at 2.7 s, kernel already booted with svm=off) kexecs and ends secure', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 2.7});
    expect(vm(world, 'legacy-1').security.phase).toBe('probe');
    const result = world.secure('legacy-1');
    expect(result).toMatchObject({ok: true, message: 'svm=on set; kexec into the secure kernel'});
    runTo(world, 30);
    expect(vm(world, 'legacy-1')).toMatchObject({
      svm: true,
      security: expect.objectContaining({state: 'secure'}),
    });
  });

  it('secure before the kernel started (bootloader) needs no kexec: this boot reads svm=on', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 1.5});
    expect(vm(world, 'legacy-1').security.phase).toBe('bootloader');
    expect(world.secure('legacy-1')).toMatchObject({
      ok: true,
      message: 'svm=on set; this boot will enter secure mode',
    });
    runTo(world, 30);
    expect(vm(world, 'legacy-1').security.state).toBe('secure');
    expect(eventsOf(world, 'legacy-1').filter((line) => line.includes('kexec'))).toEqual([]);
  });
});

describe('#15.1: a guest whose security changes mid-migration never lands where it cannot run', () => {
  // The firmware's boot will read svm=on: the checks take the guest as secure from the start
  // (pending-work.ts isBootSecureOf), so a host that could not hold it is refused up front.
  it('batch-1 (svm=on, still in the firmware, 2018-era stack) to delta at 1 s: refused as for a secure guest; batch-1 goes secure on epsilon', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 1});
    expect(world.check('db-1', {do: 'migrate', to: 'delta', params: {}})).toMatchObject({ok: false});
    expect(world.migrate('batch-1', 'delta')).toMatchObject({ok: false, code: 'migration-blocked'});
    runTo(world, 20);
    expect(vm(world, 'batch-1')).toMatchObject({
      host: 'epsilon',
      security: expect.objectContaining({state: 'secure'}),
    });
  });

  it('web-1 to gamma (no secure migration) at 1 s is refused the same way; web-1 goes secure on alpha', () => {
    const world = startWorld(defaultConfig(), 2, {seconds: 1});
    expect(world.migrate('web-1', 'gamma')).toMatchObject({ok: false, code: 'migration-blocked'});
    runTo(world, 20);
    expect(vm(world, 'web-1')).toMatchObject({
      host: 'alpha',
      security: expect.objectContaining({state: 'secure'}),
    });
  });

  it('a kernel started with svm=on under a migration still fails it at UV_ESM (the lifecycle decides)', () => {
    let lifecycle = initialLifecycle('g1', {svm: true, dmaPolicy: 'access-platform-gated'});
    for (const type of ['power-on', 'firmware-done', 'bootloader-done', 'migration-started'] as const)
      lifecycle = transition(lifecycle, {type}).next;
    const early = transition(lifecycle, {type: 'kernel-early'});
    expect(early.effects[0]).toMatchObject({
      kind: 'fail-migration',
      errorDesc: expect.stringContaining('entered secure mode during migration'),
    });
  });

  it('secure, then migrate to a host without an ultravisor 50 ms later: refused as for a secure guest; it goes secure where it is', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 5});
    expect(world.secure('legacy-1').ok).toBe(true);
    world.advanceBy(50_000);
    expect(world.migrate('legacy-1', 'delta')).toMatchObject({ok: false, code: 'migration-blocked'});
    runTo(world, 30);
    expect(vm(world, 'legacy-1')).toMatchObject({
      host: 'epsilon',
      security: expect.objectContaining({state: 'secure'}),
    });
    expect(vm(world, 'legacy-1').migration).toMatchObject({
      errorDesc: 'blocked before start',
      blockedReasons: expect.arrayContaining(['delta has no ultravisor: a secure guest cannot run there']),
    });
  });

  it('the checker names a secure guest on a host without an ultravisor', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    const web = world.guest('web-1')!;
    const delta = world.hosts.get('delta')!;
    web.adoptTarget(web.memory, [...web.backends], delta);
    expect(checkInvariants(world).join('\n')).toMatch(/web-1: secure on delta, a host without an ultravisor/);
  });
});
describe('#15.11: bandwidth accounting is honest for tiny rates', () => {
  it('over a 1 B/s link no 64 KiB page arrives in the first minute', () => {
    const world = startWorld(worldYaml([{devices: '[]', workload: 'idle'}]), 5, {seconds: 4});
    expect(world.migrate('g1', 'uv2', {maxBandwidthBytesPerSecond: 1n}).ok).toBe(true);
    runChecked(world, 60);
    const migration = vm(world, 'g1').migration!;
    expect(migration.status).toBe('active');
    expect(migration.ram.normal).toBe(0);
    expect(migration.ram.transferred).toBeLessThanOrEqual(60);
    expect(migration.ram.transferred).toBeLessThan(GUEST_PAGE_SIZE);
  });

  it('max-bandwidth 0 is refused: the migration would never move a page', () => {
    const world = startWorld(worldYaml([{devices: '[]', workload: 'idle'}]), 5, {seconds: 4});
    expect(world.migrate('g1', 'uv2', {maxBandwidthBytesPerSecond: 0n})).toMatchObject({
      ok: false,
      code: 'bad-parameter',
    });
  });
});

describe('the kernel sees itself secure exactly when the lifecycle says so', () => {
  it('from UV_ESM returning (swiotlb step) until UV_SVM_TERMINATE, through secure, unsecure and a crash', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5});
    const guest = world.guest('legacy-1')!;
    const seen = new Set<string>();
    const sample = (seconds: number): void => {
      for (let step = 0; step < seconds * 100; step++) {
        world.advanceBy(10_000);
        const kernel = guest.kernel;
        if (!kernel) continue;
        const phase = guest.phase;
        const expected =
          ['swiotlb', 'reprobe', 'secure'].includes(phase) || (phase === 'shutdown' && guest.isSecure);
        expect(kernel.isSecure, `${phase} at ${world.nowUs / 1e6}s`).toBe(expected);
        seen.add(`${phase}:${kernel.isSecure}`);
      }
    };
    expect(world.secure('legacy-1').ok).toBe(true);
    sample(20);
    expect(world.unsecure('legacy-1').ok).toBe(true);
    sample(20);
    expect(world.secure('legacy-1').ok).toBe(true);
    sample(20);
    world.crash('legacy-1');
    expect(guest.kernel).toBeNull();
    for (const wanted of ['convert:false', 'init-done:false', 'swiotlb:true', 'secure:true', 'running:false'])
      expect([...seen]).toContain(wanted);
  });
});
