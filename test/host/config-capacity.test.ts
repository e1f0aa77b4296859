import {describe, expect, it} from 'vitest';
import {runTicket} from '../../src/app/ticket-command.js';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';
import {usableWorkingSetBytes} from '../../src/host/config/guest-capacity.js';
import {Workload, type WorkloadHost} from '../../src/host/workload.js';
import {GiB, MiB} from '../../src/core/units.js';
import {worldError} from '../helpers/world.js';

const HOST = 'hosts:\n  - {name: h1, memory: 64GiB}\n';
const guest = (fields: string) => `${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, ${fields}}\n`;

/** Values the model could not use, which it capped or failed on later without a word (tester item 2). */
describe('nonsense sizes are refused at load, naming the bound', () => {
  it('an image past the largest svmtop generates (it was cut to 8MiB)', () => {
    expect(worldError(guest('image: {size: 99TiB}'))).toBe(
      'guests[0].image.size: expected an image of 1 byte to 8MiB (the largest svmtop generates), got "99TiB"',
    );
    expect(worldError(guest('image: {size: 0}'))).toBe(
      'guests[0].image.size: expected an image of 1 byte to 8MiB (the largest svmtop generates), got 0',
    );
    expect(worldError(guest('image: {size: 8MiB}'))).toBe('ok');
  });

  it('a disk too small for the image it boots from (the guest halted with "cannot read vmlinux")', () => {
    expect(worldError(guest('devices: [{type: blk, disk: 1000}]'))).toBe(
      'guests[0].devices[0].disk: a disk of 1000 bytes cannot hold the guest image (256KiB, read in 4KiB blocks): expected at least 256KiB',
    );
    expect(worldError(guest('image: {size: 5000}, devices: [{type: blk, disk: 5000}]'))).toMatch(
      /expected at least 8KiB$/,
    );
    // Without a blk device the image is QEMU's -kernel: no disk to fit.
    expect(worldError(guest('image: {size: 8MiB}, devices: [{type: net}]'))).toBe('ok');
  });

  it('a disk too small for the workload’s own region (its requests failed with the device "ok")', () => {
    expect(worldError(guest('workload: web, devices: [{type: blk, disk: 256KiB}]'))).toBe(
      'guests[0].devices[0].disk: a disk of 256KiB is too small for the web workload, which reads and writes 1MiB from offset 16MiB: expected at least 17MiB',
    );
    expect(worldError(guest('workload: web, devices: [{type: blk, disk: 17MiB}]'))).toBe('ok');
    expect(worldError(guest('workload: stream, devices: [{type: blk, disk: 17MiB}]'))).toMatch(
      /stream workload, which reads and writes 4MiB from offset 16MiB: expected at least 20MiB$/,
    );
    // idle too writes a block now and then (0.5 requests a second) within its 256KiB at 16MiB.
    expect(worldError(guest('image: {size: 5000}, devices: [{type: blk, disk: 8K}]'))).toMatch(
      /idle workload, which reads and writes 256KiB from offset 16MiB: expected at least 16640KiB$/,
    );
    // The image rule alone holds where the disk is large enough for the workload.
    expect(worldError(guest('image: {size: 5000}, devices: [{type: blk, disk: 16640KiB}]'))).toBe('ok');
  });

  it('a working set larger than the guest can dirty (the model cut it to resident less 16MiB)', () => {
    expect(worldError(guest('workload: {profile: web, workingSet: 99TiB}'))).toBe(
      'guests[0].workload.workingSet: a working set of 99TiB is larger than the guest can dirty (240MiB: resident memory 256MiB less the first 16MiB, which hold the kernel)',
    );
    // 1GiB on a 1GiB guest ran with 240MiB; 2GiB's default resident 512MiB leaves 496MiB.
    expect(worldError(guest('workload: {profile: web, workingSet: 1GiB}'))).toMatch(/can dirty \(240MiB/);
    expect(worldError(guest('workload: {profile: web, workingSet: 240MiB}'))).toBe('ok');
    expect(worldError(guest('workload: {profile: web, workingSet: 241MiB}'))).toMatch(/can dirty \(240MiB/);
    expect(worldError(guest('resident: 512MiB, workload: {profile: web, workingSet: 496MiB}'))).toBe('ok');
    expect(worldError(guest('resident: 16MiB, workload: {profile: web, workingSet: 4KiB}'))).toMatch(
      /can dirty \(0 bytes: resident memory 16MiB less the first 16MiB/,
    );
  });

  it('the check and the workload use the same bound', () => {
    const workload = new Workload({residentBytes: 512 * MiB} as unknown as WorkloadHost, {
      profile: 'web',
      workingSet: 1 * GiB,
    });
    expect(workload.workingSetBytes).toBe(usableWorkingSetBytes(512 * MiB));
    expect(usableWorkingSetBytes(512 * MiB)).toBe(496 * MiB);
    expect(usableWorkingSetBytes(8 * MiB)).toBe(0);
  });

  // 99TiB/s made the workload dirty ~4e7 pages one by one per tick and guest: the run crawled.
  it('a dirty rate above the guest’s memory per workload tick', () => {
    expect(worldError(guest('workload: {profile: web, dirtyRate: 99TiB}'))).toBe(
      "guests[0].workload.dirtyRate: a dirty rate of 99TiB/s is more than the guest's memory (1GiB) per workload tick (25 ms): expected at most 40GiB/s",
    );
    expect(worldError(guest('workload: {profile: web, dirtyRate: 40GiB}'))).toBe('ok');
  });

  it('svmtop ticket --size holds to the same bound', () => {
    const request = {
      configFile: DEFAULT_WORLD_FILE,
      keyFile: '/nonexistent.pem',
      guest: undefined,
      kernel: 'k',
      initrd: '',
    };
    expect(runTicket({...request, size: '99TiB'})).toEqual({
      ok: false,
      error:
        'ticket: --size: expected an image of 1 byte to 8MiB (the largest svmtop generates), got "99TiB"',
    });
  });
});
