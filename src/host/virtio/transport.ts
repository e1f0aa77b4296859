import {invariantBroken} from '../../core/assert.js';
import {VirtioStatus, type FeatureSet} from '../../core/virtio.js';
import type {SplitRingAddresses} from '../../core/split-ring-layout.js';
import type {DeviceType} from '../config/world-schema.js';
import type {DeviceConfigSpace} from './config-space.js';
import type {DeviceCore} from './device-core.js';

/** The guest's interrupt handlers for one device: a vector per queue and the config vector. */
export interface InterruptHandlers {
  queue(queueIndex: number): void;
  configChanged(): void;
}

/** What a transport needs of the device model behind it (QEMU's VirtioDeviceClass hooks). */
export interface TransportDevice {
  /** `vdev->status` (NEEDS_RESET included) and the notify the device takes: what the driver's hot paths reach. */
  readonly core: DeviceCore;
  readonly offeredFeatures: FeatureSet;
  readonly queueCount: number;
  /** The size each queue offers (queue_size before the driver writes it). */
  readonly queueSizeMax: number;
  /** `virtio_reset()`: writing 0 to device_status. */
  reset(): void;
  /** `virtio_set_status()`: the status the device now has. */
  setStatus(status: number): void;
  /** `virtio_set_features()`: false when the device refuses them (FEATURES_OK stays clear). */
  acceptFeatures(features: FeatureSet): boolean;
  /** queue_enable: the driver wrote the queue's size and three addresses. */
  enableQueue(queueIndex: number, addresses: SplitRingAddresses, size: number): void;
}

/**
 * One device's modern virtio-pci transport, the only surface the guest driver touches
 * (hw/virtio/virtio-pci.c `virtio_pci_common_write`, Linux drivers/virtio/virtio_pci_modern.c):
 * device status, device and driver features, per-queue size and the three addresses, notify,
 * the interrupt lines and the typed device config space. Simplified: features are one 64-bit
 * value (no feature_select windows) and a queue's registers are written in one call.
 */
export class VirtioPciTransport {
  /** Position on the virtio bus: the guest sees `virtio<index>`. */
  readonly index: number;
  readonly name: string;
  /** The virtio device ID the guest's bus matches drivers against. */
  readonly deviceType: DeviceType;
  readonly config: DeviceConfigSpace;
  readonly #device: TransportDevice;
  readonly #core: DeviceCore;
  /**
   * The device type's queue count, read once: the notify and interrupt checks run per request,
   * and there the five device classes make the getter's call site megamorphic.
   */
  readonly #queueCount: number;
  #handlers: InterruptHandlers | undefined;

  constructor(index: number, device: TransportDevice, config: DeviceConfigSpace) {
    this.index = index;
    this.name = `virtio${index}`;
    this.deviceType = config.type;
    this.#device = device;
    this.#core = device.core;
    this.#queueCount = device.queueCount;
    this.config = config;
  }

  // ---- the common configuration structure, as the driver reads and writes it ----

  get deviceStatus(): number {
    return this.#core.status;
  }

  /** Writes device_status: 0 resets the device; FEATURES_OK sticks only if the device accepts the features. */
  writeDeviceStatus(status: number): void {
    if (!Number.isInteger(status) || status < 0 || status > 0xff)
      invariantBroken(`${this.name}: device_status is one byte; the driver wrote ${status}`);
    if (status === 0) {
      this.#device.reset();
      return;
    }
    this.#device.setStatus(status);
  }

  get deviceFeatures(): FeatureSet {
    return this.#device.offeredFeatures;
  }

  /**
   * Writes driver_feature and then FEATURES_OK, as `virtio_features_ok()` does, and reads the
   * status back. @returns false when the device left FEATURES_OK clear
   */
  negotiate(features: FeatureSet): boolean {
    if (!this.#device.acceptFeatures(features)) return false;
    this.writeDeviceStatus(this.deviceStatus | VirtioStatus.featuresOk);
    return (this.deviceStatus & VirtioStatus.featuresOk) !== 0;
  }

  get numQueues(): number {
    return this.#queueCount;
  }

  get queueSizeMax(): number {
    return this.#device.queueSizeMax;
  }

  /**
   * queue_size, queue_desc, queue_driver, queue_device, then queue_enable = 1 (Linux `vp_active_vq`);
   * QEMU then calls `virtio_queue_set_num` and `virtio_queue_set_rings` with the three addresses
   * (hw/virtio/virtio-pci.c `virtio_pci_common_write`, VIRTIO_PCI_COMMON_Q_ENABLE).
   */
  enableQueue(queueIndex: number, size: number, addresses: SplitRingAddresses): void {
    if (this.#core.status & VirtioStatus.driverOk)
      invariantBroken(
        `${this.name}: queue ${queueIndex} enabled after DRIVER_OK (queues are set up before it)`,
      );
    this.#device.enableQueue(queueIndex, addresses, size);
  }

  notify(queueIndex: number): void {
    if (!(queueIndex >= 0 && queueIndex < this.#queueCount))
      invariantBroken(`${this.name}: notify of queue ${queueIndex}, the device has ${this.#queueCount}`);
    this.#core.notify(queueIndex);
  }

  /** The driver's `request_irq` for the device's vectors; one set of handlers at a time. */
  connectInterrupts(handlers: InterruptHandlers): void {
    this.#handlers = handlers;
  }

  disconnectInterrupts(): void {
    this.#handlers = undefined;
  }

  // ---- the device's side: the interrupt lines ----

  /** A used-buffer notification on the queue's vector. */
  interruptQueue(queueIndex: number): void {
    if (!(queueIndex >= 0 && queueIndex < this.#queueCount))
      invariantBroken(`${this.name}: interrupt for queue ${queueIndex}, the device has ${this.#queueCount}`);
    this.#handlers?.queue(queueIndex);
  }

  /** A configuration-change notification (a new balloon target, NEEDS_RESET). */
  interruptConfig(): void {
    this.#handlers?.configChanged();
  }
}
