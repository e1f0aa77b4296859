import {OutOfRangeAccess} from '../../core/memory-view.js';
import type {RingErrorCode} from '../../core/split-virtqueue-device.js';

/**
 * Which check broke a device, beside the human message: QEMU's split-ring checks
 * (qemu/qemu hw/virtio/virtio.c, `bogus-descriptor` among them for a buffer that does not map)
 * or the device model's own (`virtio-blk missing headers`).
 */
export type DeviceErrorCode = RingErrorCode | 'blk-missing-headers' | 'blk-outhdr-too-short';

export interface DeviceError {
  readonly message: string;
  readonly code: DeviceErrorCode;
}

/**
 * The `virtio_error()` an access outside guest memory ends in (QEMU maps every buffer when it
 * pops it, `virtqueue_map_desc`), or undefined for an error that is a programmer's (it must
 * propagate). A hypervisor access to a secure page is not an error: it is paged out (DESIGN §2.2).
 */
export function deviceErrorFor(error: unknown): DeviceError | undefined {
  if (error instanceof OutOfRangeAccess)
    return {message: 'virtio: bogus descriptor or out of resources', code: 'bogus-descriptor'};
  return undefined;
}
