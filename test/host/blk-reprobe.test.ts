import {describe, expect, it} from 'vitest';
import {DISK_WORKLOAD_OFFSET} from '../../src/host/workload-profiles.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {startWorld} from '../helpers/world.js';

describe('virtio-blk removed and probed again', () => {
  it('keeps no request of the rings it released: their header buffers lay in the freed arena', () => {
    const world = startWorld(
      worldYaml([{svm: false, policy: 'force-dma-api', devices: '[{type: blk}]', workload: 'idle'}]),
      2,
      {seconds: 10},
    );
    const blk = world.guest('g1')!.kernel!.drivers.blk!;
    const outcomes: boolean[] = [];
    const submit = (count: number) => {
      for (let i = 0; i < count; i++)
        blk.submitIo({
          isWrite: i % 2 === 0,
          offsetBytes: DISK_WORKLOAD_OFFSET + Math.floor(i / 2) * 4096,
          lengthBytes: 4096,
          onComplete: (isOk) => outcomes.push(isOk),
        });
      world.advanceBy(100_000);
    };
    submit(8);
    blk.remove();
    blk.probe();
    // The new rings and arena land on the released blocks (the allocator hands back a length's
    // freed blocks first), so a spare kept across the removal writes its header into the new
    // arena's buffers; another heap user filling other memory must not matter either.
    const heap = world.guest('g1')!.kernel!.heap;
    const intruder = heap.allocate(2 * 1024 * 1024, 65536);
    expect(intruder).toBeDefined();
    world.guest('g1')!.kernel!.view.fill(intruder!, 0x5a, 2 * 1024 * 1024);
    submit(8);
    expect(outcomes.slice(-8)).toEqual(Array(8).fill(true));
    expect(blk.integrityErrors).toBe(0);
  });
});
