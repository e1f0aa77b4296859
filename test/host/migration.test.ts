import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE} from '../../src/core/guest-memory.js';
import {MiB} from '../../src/core/units.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, device, runChecked, startWorld, vm} from '../helpers/world.js';

function churnWorld(dirtyRate: string, workingSet = '256MiB', devices = '[]') {
  const config = configFromYaml(
    worldYaml([
      {
        memory: '2GiB',
        devices,
        workload: `{profile: churn, dirtyRate: ${dirtyRate}, workingSet: ${workingSet}}`,
        extra: '    resident: 512MiB\n',
      },
    ]),
  );
  return startWorld(config, 21, {seconds: 4});
}

function nonZeroBytes(world: ReturnType<typeof startWorld>): number {
  const memory = world.guest('g1')!.memory;
  let pages = 0;
  for (let pfn = 0; pfn < memory.pageCount; pfn++) if (!memory.isZeroPage(pfn)) pages++;
  return pages * GUEST_PAGE_SIZE;
}

describe('pre-copy migration', () => {
  it('follows the classic pre-copy series within 10% and keeps downtime within the limit', () => {
    const world = churnWorld('32MiB');
    const bandwidth = 128 * MiB;
    const rate = 32 * MiB;
    const workingSet = 256 * MiB;
    let pass = nonZeroBytes(world);
    let expectedTotal = pass;
    for (let iteration = 0; iteration < 50 && pass / bandwidth > 0.3; iteration++) {
      pass = Math.min(rate * (pass / bandwidth), workingSet);
      expectedTotal += pass;
    }
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    runChecked(world, 30);
    const migration = vm(world, 'g1').migration!;
    expect(migration.status).toBe('completed');
    expect(vm(world, 'g1').host).toBe('uv2');
    expect(Math.abs(migration.ram.normalBytes - expectedTotal) / expectedTotal).toBeLessThan(0.1);
    expect(migration.downtimeMs).toBeLessThanOrEqual(300 + 10);
    expect(migration.ram.dirtySyncCount).toBeGreaterThan(1);
  });

  it('moves every page exactly: at the switch-over the destination memory equals the source, byte for byte', () => {
    const world = churnWorld('16MiB', '64MiB', '[{type: blk}, {type: net}]');
    const differences: number[] = [];
    let compared = 0;
    world.onSwitchOver = (source, target) => {
      for (let pfn = 0; pfn < source.pageCount; pfn++) {
        compared++;
        const a = source.exportPage(pfn);
        const b = target.exportPage(pfn);
        const same =
          a.kind === b.kind &&
          (a.kind !== 'bytes' || a.bytes.equals((b as typeof a).bytes)) &&
          (a.kind !== 'generated' || a.generation === (b as typeof a).generation);
        if (!same || source.pageState(pfn) !== target.pageState(pfn)) differences.push(pfn);
      }
    };
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    runChecked(world, 30);
    expect(vm(world, 'g1').migration!.status).toBe('completed');
    expect(compared).toBe(2048 * 16);
    expect(differences).toEqual([]);
    expect(device(world, 'g1', 'blk')).toMatchObject({failed: 0, integrityErrors: 0, status: 'ok'});
    expect(device(world, 'g1', 'net').integrityErrors).toBe(0);
  });

  it('does not converge when dirtying outruns the bandwidth, and does with auto-converge', () => {
    const stuck = churnWorld('192MiB');
    stuck.migrate('g1', 'uv2');
    runChecked(stuck, 60);
    expect(vm(stuck, 'g1').migration).toMatchObject({status: 'active', throttlePercent: 0});
    expect(vm(stuck, 'g1').migration!.ram.dirtySyncCount).toBeGreaterThan(5);
    const converging = churnWorld('192MiB');
    converging.migrate('g1', 'uv2', {autoConverge: true});
    runChecked(converging, 90);
    const migration = vm(converging, 'g1').migration!;
    expect(migration.status).toBe('completed');
    expect(migration.throttlePercent).toBeGreaterThanOrEqual(20);
  });

  it('counts zero target pages as duplicate and sends them as headers only (migration/ram.c save_zero_page)', () => {
    const world = churnWorld('1MiB');
    world.migrate('g1', 'uv2');
    runChecked(world, 20);
    const {ram} = vm(world, 'g1').migration!;
    expect(ram.duplicate).toBeGreaterThan(20_000 * 16);
    expect(ram.transferred).toBeLessThan(ram.normalBytes * 1.1 + ram.duplicate * 16);
    expect(ram.pageSize).toBe(4096);
  });

  it('a normal guest may go to a host without an ultravisor; a secure one is refused there with reasons', () => {
    const config = configFromYaml(
      worldYaml([
        {name: 'plainvm', devices: '[{type: blk}]'},
        {name: 'securevm', svm: true, policy: 'force-dma-api', devices: '[{type: blk}]'},
      ]),
    );
    const world = startWorld(config, 22, {seconds: 8});
    const refused = world.migrate('securevm', 'plain');
    expect(refused).toEqual({
      ok: false,
      code: 'migration-blocked',
      reason: expect.stringContaining('plain has no ultravisor: a secure guest cannot run there'),
    });
    expect(vm(world, 'securevm').migration!.blockedReasons).toContain(
      'plain has no ultravisor: a secure guest cannot run there',
    );
    expect(
      world.migrationChecks('securevm').find((check) => check.host === 'oldqemu')!.blockedReasons,
    ).toContain('oldqemu cannot receive secure guests (no secure migration)');
    expect(world.migrationChecks('securevm').find((check) => check.host === 'uv2')!.blockedReasons).toEqual(
      [],
    );
    expect(world.migrate('plainvm', 'plain').ok).toBe(true);
    expect(world.migrate('securevm', 'uv2').ok).toBe(true);
    runChecked(world, 40);
    expect(vm(world, 'plainvm')).toMatchObject({host: 'plain', state: 'running'});
    expect(vm(world, 'securevm')).toMatchObject({
      host: 'uv2',
      state: 'running',
      security: expect.objectContaining({state: 'secure'}),
    });
    for (const name of ['plainvm', 'securevm'])
      expect(device(world, name, 'blk')).toMatchObject({failed: 0, integrityErrors: 0});
  });

  it('in-flight I/O across a migration completes exactly once (the invariant checker counts every request)', () => {
    const config = configFromYaml(
      worldYaml([{devices: '[{type: blk}, {type: net}, {type: rng}]', workload: 'db'}]),
    );
    const world = startWorld(config, 23, {seconds: 6});
    const before = device(world, 'g1', 'blk').completed;
    world.migrate('g1', 'uv2', {maxBandwidthBytesPerSecond: BigInt(1024 * MiB)});
    runChecked(world, 20);
    expect(vm(world, 'g1').migration!.status).toBe('completed');
    const blk = device(world, 'g1', 'blk');
    expect(blk.completed).toBeGreaterThan(before + 100);
    expect(blk).toMatchObject({failed: 0, integrityErrors: 0});
    expect(device(world, 'g1', 'rng').integrityErrors).toBe(0);
  });
});
