import type {QueueElement} from '../../core/split-virtqueue-device.js';

/** virtio-net as both sides speak it (include/uapi/linux/virtio_net.h). */

export const NET_RX_QUEUE = 0;
export const NET_TX_QUEUE = 1;
/** virtio_net_hdr_v1: every frame on a VERSION_1 device carries these 12 bytes first. */
export const NET_HEADER_BYTES = 12;
/** Offset of `num_buffers` in virtio_net_hdr_v1. */
export const NET_HEADER_NUM_BUFFERS = 10;

/** The net device's part of the migration state: posted rx buffers and frames waiting for one. */
export interface NetMigrationState {
  readonly type: 'net';
  readonly rxPosted: readonly QueueElement[];
  readonly backlog: readonly Buffer[];
}
