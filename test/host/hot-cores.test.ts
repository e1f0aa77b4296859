import {describe, expect, it, vi} from 'vitest';
import {VirtioStatus} from '../../src/core/virtio.js';
import {DeviceCore} from '../../src/host/virtio/device-core.js';
import type {DeviceQueues} from '../../src/host/virtio/device-queues.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// The hot per-request state of drivers and devices lives in one object of one class each
// (DriverCore, DeviceCore) and every kernel's driver slots exist from the start, so V8 sees one
// shape per access site. These tests hold what that restructuring must keep.

function fakeQueues() {
  return {notify: vi.fn(), completeAt: vi.fn()};
}

describe('DeviceCore', () => {
  it('passes a notify on only while the device is neither broken nor detached', () => {
    const core = new DeviceCore();
    const queues = fakeQueues();
    core.queues = queues as unknown as DeviceQueues;
    core.status = VirtioStatus.driverOk;
    core.notify(1);
    expect(queues.notify).toHaveBeenCalledWith(1);
    core.status |= VirtioStatus.needsReset;
    core.notify(1);
    core.status = VirtioStatus.driverOk;
    core.isDetached = true;
    core.notify(1);
    expect(queues.notify).toHaveBeenCalledTimes(1);
  });

  it('serves only with DRIVER_OK set and NEEDS_RESET clear; completes nothing once detached', () => {
    const core = new DeviceCore();
    const queues = fakeQueues();
    core.queues = queues as unknown as DeviceQueues;
    expect(core.isServing()).toBe(false);
    core.status = VirtioStatus.driverOk;
    expect(core.isServing()).toBe(true);
    core.status |= VirtioStatus.needsReset;
    expect([core.isServing(), core.isBroken]).toEqual([false, true]);
    const work = () => 0;
    core.completeAt(0, {} as never, 5, work);
    expect(queues.completeAt).toHaveBeenCalledTimes(1);
    core.isDetached = true;
    core.completeAt(0, {} as never, 5, work);
    expect(queues.completeAt).toHaveBeenCalledTimes(1);
  });
});

describe('bound drivers', () => {
  it('keep one shape of driver slots, count through their core, and list what was bound in order', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 20});
    const guests = [...world.guests.values()].filter((guest) => guest.kernel && !guest.kernel.isFirmware);
    expect(guests.length).toBeGreaterThan(1);
    for (const guest of guests) {
      const kernel = guest.kernel!;
      expect(Object.keys(kernel.drivers)).toEqual(['net', 'blk', 'console', 'rng', 'balloon']);
      const bound = Object.values(kernel.drivers).filter((driver) => driver !== undefined);
      expect(new Set(kernel.allDrivers())).toEqual(new Set(bound));
      expect(kernel.allDrivers().map((driver) => driver.transport.index)).toEqual(
        guest.backends
          .filter((backend) => kernel.allDrivers().some((driver) => driver.transport === backend.transport))
          .map((backend) => backend.transport.index),
      );
      for (const driver of kernel.allDrivers()) {
        expect(driver.submitted, driver.deviceName).toBe(driver.finished + driver.inFlight);
        expect(driver.transport.numQueues).toBe(
          guest.backends.find((backend) => backend.transport === driver.transport)!.queueCount,
        );
      }
    }
    const busy = guests
      .flatMap((guest) => guest.kernel!.allDrivers())
      .filter((driver) => driver.completed > 0);
    expect(busy.length).toBeGreaterThan(3);
  });

  it('are all unbound, their slots kept, when the kernel removes them', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 15});
    const kernel = [...world.guests.values()].find(
      (guest) => guest.kernel && !guest.kernel.isFirmware,
    )!.kernel!;
    const drivers = kernel.allDrivers().slice();
    expect(drivers.length).toBeGreaterThan(0);
    kernel.removeAll();
    expect(kernel.allDrivers()).toEqual([]);
    expect(kernel.drivers).toStrictEqual({
      net: undefined,
      blk: undefined,
      console: undefined,
      rng: undefined,
      balloon: undefined,
    });
    for (const driver of drivers) expect([driver.mode, driver.inFlight]).toEqual(['absent', 0]);
  });
});
