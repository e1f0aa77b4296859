import {describe, expect, it} from 'vitest';
import {PPC64_SMP_CACHE_BYTES, splitRingLayout} from '../../src/core/split-ring-layout.js';
import {VirtioStatus} from '../../src/core/virtio.js';
import {balloonConfigSpace, ConfigSpace} from '../../src/host/virtio/config-space.js';
import type {BalloonBackend} from '../../src/host/virtio/balloon-backend.js';
import type {BalloonConfig} from '../../src/host/virtio/balloon-protocol.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {runChecked, startWorld} from '../helpers/world.js';

function normalGuest(devices: string) {
  const world = startWorld(worldYaml([{svm: false, workload: 'idle', devices}]), 2, {seconds: 6});
  return {world, guest: world.guest('g1')!};
}

describe('the virtio-pci transport is the only surface between driver and device', () => {
  it('a pseries driver writes three queue addresses with the used ring aligned to 128, and the device uses them', () => {
    const {guest} = normalGuest('[{type: net}, {type: blk}]');
    for (const backend of guest.backends) {
      const state = backend.saveState();
      expect(state.queues.length).toBe(backend.queueCount);
      for (const queue of state.queues) {
        const layout = splitRingLayout(queue!.size, PPC64_SMP_CACHE_BYTES);
        expect(queue!.addresses.driver - queue!.addresses.desc).toBe(layout.availOffset);
        expect(queue!.addresses.device - queue!.addresses.desc).toBe(layout.usedOffset);
        expect(queue!.addresses.device % 128).toBe(0);
      }
    }
  });

  it('the balloon driver reports its size in config `actual`, and the device learns it from there', () => {
    const {world, guest} = normalGuest('[{type: balloon}]');
    const backend = guest.backends[0] as BalloonBackend;
    expect(world.balloon('g1', 8 * 1024 * 1024)).toMatchObject({ok: true});
    runChecked(world, 1);
    expect(backend.actualPages).toBe(2048);
    const config = balloonConfigSpace(backend.transport.config);
    expect(config.read('actual')).toBe(2048);
    expect(config.read('numPages')).toBe(2048);
  });

  it('a config field the device owns cannot be written by the driver', () => {
    const config = new ConfigSpace<BalloonConfig>({numPages: 4, actual: 0}, ['actual']);
    config.write('actual', 3);
    expect(config.read('actual')).toBe(3);
    expect(() => config.write('numPages', 9)).toThrow(/numPages is read-only for the driver/);
  });

  it('after a migration the driver talks to the target’s transport, and traffic goes on', () => {
    const {world, guest} = normalGuest('[{type: net}]');
    const driver = guest.kernel!.drivers.net!;
    const source = guest.backends[0]!.transport;
    expect(driver.transport).toBe(source);
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    runChecked(world, 4);
    expect(guest.host.name).toBe('uv2');
    const target = guest.backends[0]!.transport;
    expect(target).not.toBe(source);
    expect(driver.transport).toBe(target);
    expect(target.deviceStatus & VirtioStatus.driverOk).toBe(VirtioStatus.driverOk);
    const sentBefore = driver.submitted;
    expect(driver.send(0, 64, 64)).toBe('queued');
    runChecked(world, 0.5);
    expect(driver.submitted).toBe(sentBefore + 1);
    expect(driver.completed).toBeGreaterThan(0);
    expect(driver.integrityErrors).toBe(0);
  });

  it('migration state is typed per device: a net device refuses a balloon’s state', () => {
    const {guest} = normalGuest('[{type: net}, {type: balloon}]');
    const [net, balloon] = guest.backends;
    expect(() => net!.loadState(balloon!.saveState())).toThrow(
      /migration state of a balloon device loaded into a net device/,
    );
  });
});
