import {describe, expect, it} from 'vitest';
import {injectMalformedChain} from '../../src/host/faults.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {device, runChecked, startWorld} from '../helpers/world.js';

function world(svm: boolean, policy: string, devices: string) {
  return startWorld(worldYaml([{svm, policy, workload: 'web', devices}]), 4, {seconds: 15});
}

describe('device codes beside the messages (snapshot errorCode)', () => {
  it('a refused device carries the probe check that refused it, with the kernel’s words from one place', () => {
    const secure = world(true, 'restricted', '[{type: net, iommu: on}, {type: console}]');
    expect(device(secure, 'g1', 'console')).toMatchObject({
      status: 'refused',
      error: 'device must provide VIRTIO_F_ACCESS_PLATFORM',
      errorCode: 'missing-access-platform',
    });
    expect(device(secure, 'g1', 'net')).toMatchObject({status: 'ok', error: null, errorCode: null});
  });

  it('a device QEMU broke carries the check that tripped (a looped chain: "Looped descriptor")', () => {
    const normal = world(false, 'legacy', '[{type: net}]');
    expect(injectMalformedChain(normal.guest('g1')!)).toEqual({ok: true});
    runChecked(normal, 1);
    expect(device(normal, 'g1', 'net')).toMatchObject({
      status: 'needs-reset',
      error: 'Looped descriptor',
      errorCode: 'looped-descriptor',
    });
  });

  it('a legacy secure guest’s device that read its ring encrypted carries the QEMU check the ciphertext tripped', () => {
    const legacy = world(true, 'legacy', '[{type: blk}]');
    const blk = device(legacy, 'g1', 'blk');
    expect(blk.status).toBe('needs-reset');
    expect(['head-out-of-range', 'bogus-descriptor', 'indirect-table-size']).toContain(blk.errorCode);
  });
});
