import {describe, expect, test} from 'vitest';
import {returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

interface VirtioStatus {
  'num-vqs': number;
  'host-features': {'dev-features': string[]};
  'guest-features': {'dev-features': string[]};
}

/**
 * QEMU 7.2's virtio-balloon-pci (checked with qemu-system-ppc64 -M pseries) offers PAGE_POISON
 * (property default on) and STATS_VQ (get_features adds it), never MUST_TELL_HOST, with 3 queues
 * (qemu/qemu hw/virtio/virtio-balloon.c virtio_balloon_properties, virtio_balloon_get_features,
 * virtio_balloon_device_realize). svmtop has no stats queue: it offers PAGE_POISON alone on its 2
 * queues. The Linux driver clears PAGE_POISON when the guest does not poison pages (torvalds/linux
 * drivers/virtio/virtio_balloon.c virtballoon_validate).
 */
describe('the balloon offers what QEMU 7.2 offers, as far as svmtop implements it', () => {
  test('PAGE_POISON offered, not MUST_TELL_HOST; cleared by the driver; 2 queues', async () => {
    const client = await fixture.connect('legacy-1');
    const devices = returned<Array<{name: string; path: string}>>(await client.execute('x-query-virtio'));
    const balloon = devices.find((device) => device.name === 'virtio-balloon')!;
    const status = returned<VirtioStatus>(
      await client.execute('x-query-virtio-status', {path: balloon.path}),
    );
    expect(status['host-features']['dev-features']).toEqual([
      'VIRTIO_BALLOON_F_PAGE_POISON: Guest page poisoning enabled',
    ]);
    expect(status['guest-features']['dev-features']).toEqual([]);
    expect(status['num-vqs']).toBe(2);
  });
});
