import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {describe, expect, it} from 'vitest';
import {GiB} from '../../src/core/units.js';
import {startWorld, vm} from '../helpers/world.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedHeapBytes(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const TERABYTE_GUEST = `hosts:
  - {name: h, memory: 2TiB}
guests:
  - name: big
    host: h
    vcpus: 4
    memory: 1TiB
    workload: idle
    image: {kernel: vmlinux-6.6-pseries, initrd: initramfs-web, size: 256KiB}
    devices: [{type: balloon}]
`;

describe('a balloon in a 1 TiB guest (issue 15 item 2)', () => {
  it('inflating toward 600 GiB keeps the balloon state bounded: no memory per ballooned page', () => {
    const world = startWorld(TERABYTE_GUEST, 1, {seconds: 3, unchecked: true});
    expect(world.balloon('big', 600 * GiB)).toMatchObject({ok: true});
    world.advanceTo(3_200_000);
    const before = retainedHeapBytes();
    world.advanceTo(4_400_000);
    const after = retainedHeapBytes();
    const balloon = vm(world, 'big').balloon!;
    // About 11 GiB (2.9 million 4 KiB pages) went into the balloon in these 1.2 simulated seconds;
    // a number per page would hold 23 MB or more.
    expect(balloon.actualBytes).toBeGreaterThan(10 * GiB);
    expect(balloon.targetBytes).toBe(600 * GiB);
    expect(after - before).toBeLessThan(4 * 1024 * 1024);
  });
});
