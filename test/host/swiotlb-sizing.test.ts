import {describe, expect, it} from 'vitest';
import type {World} from '../../src/host/world.js';
import {webTicket} from '../helpers/guest-yaml.js';
import {configFromYaml, device, runChecked, startWorld, vm} from '../helpers/world.js';
import {DEMO_KEYS} from '../helpers/world.js';

/** A secure guest streaming 256 KiB block requests through a bounce pool of `swiotlb` slots. */
function streamingGuest(swiotlb: string, vcpus: number): World {
  return startWorld(
    configFromYaml(`hosts:
  - {name: h, memory: 64GiB, ultravisor: {secureMemory: 16GiB, trustedKeys: [owner-demo]}}
${DEMO_KEYS}
guests:
  - name: g
    host: h
    vcpus: ${vcpus}
    memory: 4GiB
    svm: on
    launchSecurity: required
    dmaPolicy: force-dma-api
    workload: stream
    swiotlb: "${swiotlb}"
${webTicket()}    devices: [{type: net}, {type: blk}]
`),
    7,
  );
}

function events(world: World, kind: string): string[] {
  return world.events
    .recent(100_000, 'g')
    .filter((event) => event.kind === kind)
    .map((event) => event.message);
}

describe('a bounce pool too small for the requests (issue 15 item 11, kernel/dma/swiotlb.c)', () => {
  it.each([
    ['128', 1],
    ['128', 2],
  ])(
    'swiotlb=%s with %i vCPUs: Linux’s "buffer is full", then once why and what size would do',
    (swiotlb, vcpus) => {
      const world = streamingGuest(swiotlb, vcpus);
      runChecked(world, 15);
      const full = events(world, 'swiotlb-full');
      const explained = events(world, 'swiotlb-too-small');
      expect(full[0]).toMatch(/^virtio_blk virtio1: swiotlb buffer is full \(sz: 262144 bytes\)/);
      expect(explained).toHaveLength(1);
      expect(explained[0]).toMatch(
        /^virtio_blk virtio1: a 262144-byte mapping needs 128 contiguous free slots inside one 128-slot segment; \d+ of \d+ slots are free \(32 held by other devices\).*boot with swiotlb=\d+/,
      );
      const order = world.events.recent(100_000, 'g').map((event) => event.kind);
      expect(order.indexOf('swiotlb-full')).toBeLessThan(order.indexOf('swiotlb-too-small'));

      const advised = /swiotlb=(\d+)/.exec(explained[0]!)![1]!;
      const sized = streamingGuest(advised, vcpus);
      runChecked(sized, 15);
      expect(vm(sized, 'g').swiotlb!.mapFailures).toBe(0);
      expect(device(sized, 'g', 'blk').completed).toBeGreaterThan(50);
      expect(events(sized, 'swiotlb-too-small')).toEqual([]);
    },
  );

  it('a mapping larger than a segment can never be mapped: it fails at once, said once, never retried', () => {
    const world = streamingGuest('1024', 2);
    runChecked(world, 8);
    const blk = world.guest('g')!.kernel!.drivers.blk!;
    const failedBefore = blk.failed;
    const outcomes: boolean[] = [];
    for (let i = 0; i < 3; i++)
      expect(
        blk.submitIo({
          isWrite: true,
          offsetBytes: 512 * 1024 * 1024,
          lengthBytes: 512 * 1024,
          onComplete: (isOk) => outcomes.push(isOk),
        }),
      ).toBe('failed');
    expect(outcomes).toEqual([false, false, false]);
    expect(blk.failed).toBe(failedBefore + 3);
    expect(events(world, 'swiotlb-too-small')).toEqual([
      'virtio_blk virtio1: a 524288-byte mapping needs 256 contiguous swiotlb slots, more than one 128-slot segment holds: it can never be mapped, so such requests fail',
    ]);
  });
});
