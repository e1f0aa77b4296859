import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {VirtioStatus} from '../../core/virtio.js';
import type {DeviceQueues, ElementWork} from './device-queues.js';

/**
 * The hot state of one device (its status byte, whether it was detached, its queues), one class
 * whatever the device type: the transport's notify and status reads and the queues' checks run
 * per request, and through the five backend classes those property accesses would see five
 * object shapes, more than V8 caches per access site.
 */
export class DeviceCore {
  /** `vdev->status`, NEEDS_RESET included. */
  status = 0;
  /** True once quiesced: late timers (a peer's reply) must not touch anything. */
  isDetached = false;
  /** Set once by the backend's constructor. */
  queues!: DeviceQueues;

  get isBroken(): boolean {
    return (this.status & VirtioStatus.needsReset) !== 0;
  }

  /** Whether the device takes work now (DRIVER_OK set, not broken). */
  isServing(): boolean {
    return !this.isBroken && (this.status & VirtioStatus.driverOk) !== 0;
  }

  /** The driver's notification: ignored by a broken or detached device. */
  notify(queueIndex: number): void {
    if (this.isBroken || this.isDetached) return;
    this.queues.notify(queueIndex);
  }

  /** Finishes an element at `atUs` (see VirtioBackend's completeAt); nothing once detached. */
  completeAt(queueIndex: number, element: QueueElement, atUs: number, execute: ElementWork): void {
    if (this.isDetached) return;
    this.queues.completeAt(queueIndex, element, atUs, execute);
  }
}
