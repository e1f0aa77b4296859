import {OutOfRangeAccess, SecurePageFault} from '../../core/memory-view.js';
import type {RingErrorCode} from '../../core/split-virtqueue-device.js';

/**
 * Which check broke a device, beside the human message: QEMU's split-ring checks
 * (hw/virtio/virtio.c), the device model's own (`virtio-blk missing headers`), a buffer QEMU
 * could not map (`virtio: bogus descriptor or out of resources`), or a ring in secure memory.
 */
export type DeviceErrorCode =
  RingErrorCode | 'blk-missing-headers' | 'blk-outhdr-too-short' | 'bogus-descriptor' | 'secure-vring';

export interface DeviceError {
  readonly message: string;
  readonly code: DeviceErrorCode;
}

/**
 * The `virtio_error()` a blocked hypervisor access ends in, or undefined for an error that is a
 * programmer's (it must propagate). `where` says whether the device was reading its rings or an
 * element's buffers.
 */
export function deviceErrorFor(error: unknown, where: 'vring' | 'buffer'): DeviceError | undefined {
  if (error instanceof SecurePageFault)
    return where === 'vring'
      ? {message: 'Cannot map vring: guest memory is secure', code: 'secure-vring'}
      : {message: 'virtio: bogus descriptor or out of resources', code: 'bogus-descriptor'};
  if (error instanceof OutOfRangeAccess)
    return {
      message: `virtio: bogus descriptor or out of resources (${error.message})`,
      code: 'bogus-descriptor',
    };
  return undefined;
}
