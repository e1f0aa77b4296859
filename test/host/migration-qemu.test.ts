import {describe, expect, it} from 'vitest';
import {MiB} from '../../src/core/units.js';
import type {MigrationSnapshot} from '../../src/host/snapshot-types.js';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {runChecked, startWorld, vm} from '../helpers/world.js';

/** query-migrate's MigrationStatus values (qemu/qemu qapi/migration.json). */
const QAPI_MIGRATION_STATUS = [
  'none',
  'setup',
  'cancelling',
  'cancelled',
  'active',
  'postcopy-active',
  'postcopy-paused',
  'postcopy-recover-setup',
  'postcopy-recover',
  'completed',
  'failed',
  'colo',
  'pre-switchover',
  'device',
  'wait-unplug',
];

function churnGuest(options: {dirtyRate: string; workingSet: string; memory?: string; svm?: boolean}) {
  return {
    memory: options.memory ?? '2GiB',
    devices: '[{type: blk}]',
    svm: options.svm ?? false,
    policy: options.svm ? 'force-dma-api' : 'legacy',
    workload: `{profile: churn, dirtyRate: ${options.dirtyRate}, workingSet: ${options.workingSet}}`,
    extra: '    resident: 512MiB\n',
  };
}

function churnWorld(guest: Parameters<typeof churnGuest>[0], links = '', seed = 31): World {
  return startWorld(worldYaml([churnGuest(guest)], links), seed, {seconds: 4});
}

/** Samples g1's migration every `stepUs` for `seconds`. */
function sample(world: World, seconds: number, stepUs = 10_000): MigrationSnapshot[] {
  const samples: MigrationSnapshot[] = [];
  const end = world.nowUs + seconds * 1_000_000;
  while (world.nowUs < end) {
    world.advanceBy(stepUs);
    const migration = vm(world, 'g1').migration;
    if (migration) samples.push(migration);
  }
  return samples;
}

describe('query-migrate as QEMU reports it', () => {
  it('takes only MigrationStatus values (qapi/migration.json); the key exchange is svmtop phase within setup', () => {
    const world = churnWorld({dirtyRate: '4MiB', workingSet: '32MiB', svm: true});
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    const samples = sample(world, 0.5);
    // #13 item 13: the destination holds the guest's secure memory too until switch-over, and says so.
    const uv2 = world.getSnapshot().hosts.find((host) => host.name === 'uv2')!;
    expect(uv2.memory).toMatchObject({secureIncomingBytes: 2 * 1024 * MiB, secureUsedBytes: 2 * 1024 * MiB});
    samples.push(...sample(world, 29.5));
    for (const migration of samples) expect(QAPI_MIGRATION_STATUS).toContain(migration.status);
    const pairs = new Set(samples.map((migration) => `${migration.status}/${migration.phase}`));
    expect([...pairs]).toEqual([
      'setup/setup',
      'setup/key-exchange',
      'active/page-export',
      'active/stop-and-copy',
      'completed/null',
    ]);
    const done = samples.at(-1)!;
    expect(done.encryptedPages).toBeGreaterThan(0);
    expect(done.encryptedPages % 16).toBe(0);
    // setup-time runs until the migration goes active, key exchange included.
    expect(done.setupTimeMs).toBeGreaterThanOrEqual(250);
  });

  it('shows no rate before the first 100 ms window and none after a cancel (fill_source_migration_info)', () => {
    const world = churnWorld({dirtyRate: '4MiB', workingSet: '32MiB'});
    world.migrate('g1', 'uv2');
    const early = sample(world, 0.14);
    const firstSending = early.find((migration) => migration.ram.transferred > 0)!;
    expect(firstSending).toMatchObject({isBandwidthMeasured: false, ram: expect.objectContaining({mbps: 0})});
    const measured = sample(world, 1).at(-1)!;
    expect(measured.isBandwidthMeasured).toBe(true);
    expect(measured.ram.mbps).toBeCloseTo((128 * MiB * 8) / 1e6, -1);
    expect(world.migrateCancel('g1').ok).toBe(true);
    const cancelled = sample(world, 0.1).at(-1)!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.ram).toMatchObject({mbps: 0, pagesPerSecond: 0, dirtyPagesRate: 0});
    expect(cancelled.ram.transferred).toBe(measured.ram.transferred);
  });

  it('reports expected-downtime as the limit until QEMU has a dirty rate, then the rest over the bandwidth', () => {
    const world = churnWorld({dirtyRate: '192MiB', workingSet: '256MiB'});
    world.migrate('g1', 'uv2');
    const samples = sample(world, 20, 100_000).filter((migration) => migration.status === 'active');
    const unmeasured = samples.filter((migration) => !migration.isDirtyRateMeasured);
    expect(unmeasured.length).toBeGreaterThan(5);
    for (const migration of unmeasured)
      expect(migration).toMatchObject({
        expectedDowntimeMs: 300,
        ram: expect.objectContaining({dirtyPagesRate: 0}),
      });
    const last = samples.at(-1)!;
    expect(last.isDirtyRateMeasured).toBe(true);
    expect(last.ram.dirtyPagesRate).toBeGreaterThan(0);
    // 256 MiB rewritten each pass at 128 MiB/s: about two seconds.
    expect(last.expectedDowntimeMs).toBeGreaterThan(1800);
    expect(last.expectedDowntimeMs).toBeLessThan(2200);
  });

  it('averages mbps over the time after setup once completed (migration_calculate_complete)', () => {
    const world = churnWorld({dirtyRate: '4MiB', workingSet: '32MiB'});
    world.migrate('g1', 'uv2');
    runChecked(world, 30);
    const done = vm(world, 'g1').migration!;
    expect(done.status).toBe('completed');
    const seconds = (done.totalTimeMs - done.setupTimeMs) / 1000;
    expect(done.ram.mbps).toBeCloseTo(((done.ram.transferred + 4096) * 8) / seconds / 1e6, 0);
    expect(done.ram).toMatchObject({remaining: 0, dirtyPagesRate: 0});
  });
});

describe('switch-over (migration/migration.c migration_iteration_run)', () => {
  it('compares the pending bytes with the measured bandwidth × downtime limit, not max-bandwidth', () => {
    // A 32 MiB working set rewritten each pass: 32 MiB stays pending at every sync. Over a link
    // carrying 64 MiB/s the threshold is about 19 MiB, below it; max-bandwidth (1 GiB/s) would
    // give 307 MiB and switch over at once.
    const slow = churnWorld(
      {dirtyRate: '256MiB', workingSet: '32MiB'},
      'links: {defaultBandwidth: 64MiB, pairs: []}',
    );
    slow.migrate('g1', 'uv2', {maxBandwidthBytesPerSecond: BigInt(1024 * MiB)});
    runChecked(slow, 40);
    const stuck = vm(slow, 'g1').migration!;
    expect(stuck.status).toBe('active');
    expect(stuck.ram.dirtySyncCount).toBeGreaterThan(10);
    expect(stuck.thresholdBytes).toBeGreaterThan(64 * MiB * 0.3 * 0.95);
    expect(stuck.thresholdBytes).toBeLessThan(64 * MiB * 0.3 * 1.05);
    const fast = churnWorld(
      {dirtyRate: '256MiB', workingSet: '32MiB'},
      'links: {defaultBandwidth: 1GiB, pairs: []}',
    );
    fast.migrate('g1', 'uv2', {maxBandwidthBytesPerSecond: BigInt(1024 * MiB)});
    runChecked(fast, 40);
    expect(vm(fast, 'g1').migration!.status).toBe('completed');
  });

  it('sends the rest with the rate limit lifted: downtime runs at the link, not max-bandwidth', () => {
    const world = churnWorld(
      {dirtyRate: '16MiB', workingSet: '32MiB'},
      'links: {defaultBandwidth: 1GiB, pairs: []}',
    );
    world.migrate('g1', 'uv2', {downtimeLimitMs: 2000});
    runChecked(world, 30);
    const done = vm(world, 'g1').migration!;
    expect(done.status).toBe('completed');
    // At 128 MiB/s the up-to-256 MiB switch-over threshold would take up to 2 s; at 1 GiB/s a quarter.
    expect(done.downtimeMs).toBeLessThan(300);
  });
});

describe('auto-converge (migration/ram.c migration_bitmap_sync, migration_trigger_throttle)', () => {
  it('steps the throttle at most once a simulated second, however often the bitmap is synced', () => {
    // A 64 MiB working set rewritten many times within each pass, above the 38 MiB threshold: a
    // sync every 0.2 s, and it takes several steps of throttling to converge.
    const world = churnWorld({dirtyRate: '4GiB', workingSet: '64MiB'});
    world.migrate('g1', 'uv2', {autoConverge: true});
    const samples = sample(world, 30, 50_000);
    expect(Math.max(...samples.map((migration) => migration.ram.dirtySyncCount))).toBeGreaterThan(20);
    const steps = world.events
      .recent(100_000, 'g1')
      .filter((event) => event.message.startsWith('auto-converge: throttling'))
      .map((event) => event.tUs);
    expect(steps.length).toBeGreaterThan(1);
    for (let i = 1; i < steps.length; i++) expect(steps[i]! - steps[i - 1]!).toBeGreaterThan(1_000_000);
  });
});
