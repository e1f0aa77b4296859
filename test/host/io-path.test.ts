import {describe, expect, it} from 'vitest';
import {guestYaml, worldYaml} from '../helpers/guest-yaml.js';
import {device, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

const ALL_DEVICES_NO_IOMMU = '[{type: net}, {type: blk}, {type: console}, {type: rng}, {type: balloon}]';

function secureGuest(
  policy: string,
  devices = ALL_DEVICES_NO_IOMMU,
  extra: Partial<Parameters<typeof guestYaml>[0]> = {},
) {
  return startWorld(worldYaml([{svm: true, policy, devices, ...extra}]), 3, {seconds: 15});
}

describe('the I/O path in a secure guest', () => {
  it('ACCESS_PLATFORM-gated (every pseries kernel), devices without iommu=on on the 2018-era stack: the hypervisor pages the rings out, reads ciphertext, QEMU breaks the device; nothing corrupt succeeds', () => {
    const world = secureGuest('access-platform-gated');
    const blk = device(world, 'g1', 'blk');
    expect(vm(world, 'g1').security.state).toBe('secure');
    expect(blk.dma).toBe('direct');
    expect(blk.faults).toBeGreaterThan(0);
    expect(blk.status).toBe('needs-reset');
    expect(blk.failed).toBeGreaterThan(0);
    expect(blk.integrityErrors).toBe(0);
    expect(
      eventsOf(world, 'g1').some(
        (message) => /secure|ultravisor/.test(message) && /virtio-blk/.test(message),
      ),
    ).toBe(false);
    expect(vm(world, 'g1').swiotlb?.bouncedBytesToDevice ?? 0).toBe(0);
  });

  it('force-dma-api, same devices: every request completes through bounce buffers and bytes bounced equal bytes moved', () => {
    const world = secureGuest('force-dma-api');
    const snapshot = vm(world, 'g1');
    for (const entry of snapshot.devices) {
      expect(entry.dma, entry.type).toBe('dma-api');
      expect(entry.bounces).toBe(true);
      expect(entry.status).toBe('ok');
      expect(entry.faults).toBe(0);
      expect(entry.integrityErrors).toBe(0);
    }
    const blk = device(world, 'g1', 'blk');
    expect(blk.completed).toBeGreaterThan(50);
    expect(blk.failed).toBe(0);
    const pool = snapshot.swiotlb!;
    const moved = snapshot.devices.reduce(
      (sum, entry) => sum + entry.bytesToDevice + entry.bytesFromDevice,
      0,
    );
    // Everything the devices read or wrote after the re-probe went through the pool; the firmware's direct I/O came before.
    expect(pool.bouncedBytesToDevice + pool.bouncedBytesFromDevice).toBeGreaterThan(0.9 * moved);
  });

  it('restricted: devices without ACCESS_PLATFORM and the balloon are refused; those with it bounce and work', () => {
    const world = secureGuest(
      'restricted',
      '[{type: net, iommu: on}, {type: blk, iommu: on}, {type: console}, {type: balloon, iommu: on}]',
    );
    expect(device(world, 'g1', 'console').status).toBe('refused');
    expect(device(world, 'g1', 'balloon').status).toBe('refused');
    const messages = eventsOf(world, 'g1');
    expect(messages).toContain('virtio_console virtio2: device must provide VIRTIO_F_ACCESS_PLATFORM');
    expect(messages).toContain('virtio_balloon virtio3: device must provide VIRTIO_F_ACCESS_PLATFORM');
    const blk = device(world, 'g1', 'blk');
    expect(blk).toMatchObject({dma: 'dma-api', bounces: true, status: 'ok', failed: 0, integrityErrors: 0});
    expect(blk.completed).toBeGreaterThan(50);
    expect(vm(world, 'g1').balloon).toMatchObject({available: false});
  });

  it('the hypervisor never gets secure bytes: a canary in secure memory never reaches a device', () => {
    const world = secureGuest(
      'access-platform-gated',
      '[{type: net, iommu: on}, {type: blk, iommu: on}, {type: console}]',
    );
    const guest = world.guest('g1')!;
    const canary = Buffer.from('CANARY-SECRET-0123456789');
    const kernel = guest.kernel!;
    for (let page = 40; page < 60; page++) kernel.view.write(page * 65536, canary, 0, canary.length);
    runChecked(world, 5);
    const disk = Buffer.alloc(64 * 1024 * 1024);
    guest.disk!.read(0, disk, 0, disk.length);
    expect(disk.includes(canary)).toBe(false);
  });
});

describe('the I/O path in a normal guest', () => {
  it('uses direct access and bounces nothing', () => {
    const world = startWorld(
      worldYaml([{svm: false, policy: 'force-dma-api', devices: ALL_DEVICES_NO_IOMMU}]),
      3,
      {seconds: 8},
    );
    const snapshot = vm(world, 'g1');
    expect(snapshot.swiotlb).toBeNull();
    expect(
      snapshot.devices.every(
        (entry) => entry.dma === 'direct' && entry.status === 'ok' && entry.integrityErrors === 0,
      ),
    ).toBe(true);
    expect(device(world, 'g1', 'blk').completed).toBeGreaterThan(50);
  });

  it('with swiotlb=force and iommu=on devices, bounces without being secure', () => {
    const world = startWorld(
      worldYaml([
        {
          svm: false,
          swiotlb: '1024,1,force',
          workload: 'stream',
          devices: '[{type: blk, iommu: on}, {type: net}]',
        },
      ]),
      3,
      {seconds: 8},
    );
    expect(device(world, 'g1', 'blk')).toMatchObject({dma: 'dma-api', bounces: true, integrityErrors: 0});
    expect(device(world, 'g1', 'net')).toMatchObject({dma: 'direct', bounces: false});
    expect(vm(world, 'g1').swiotlb!.bouncedBytesToDevice).toBeGreaterThan(1024 * 1024);
  });

  it('a pool too small for the load: "buffer is full", retries, and every request still completes', () => {
    const world = startWorld(
      worldYaml([
        {
          svm: true,
          policy: 'force-dma-api',
          swiotlb: '128,1',
          workload: 'db',
          devices: '[{type: net}, {type: blk}]',
        },
      ]),
      5,
      {seconds: 20},
    );
    const pool = vm(world, 'g1').swiotlb!;
    const blk = device(world, 'g1', 'blk');
    expect(pool.mapFailures).toBeGreaterThan(0);
    expect(
      eventsOf(world, 'g1').some((message) =>
        /swiotlb buffer is full \(sz: \d+ bytes\), total 128 \(slots\), used \d+ \(slots\)/.test(message),
      ),
    ).toBe(true);
    expect(blk.failed).toBe(0);
    expect(blk.integrityErrors).toBe(0);
    expect(blk.completed).toBeGreaterThan(20);
    expect(pool.recommendedNslabs).toBeGreaterThan(128);
  });
});
