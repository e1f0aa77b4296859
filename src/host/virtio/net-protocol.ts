import type {QueueElement} from '../../core/split-virtqueue-device.js';

/** virtio-net as both sides speak it (include/uapi/linux/virtio_net.h). */

export const NET_RX_QUEUE = 0;
export const NET_TX_QUEUE = 1;
/** virtio_net_hdr_v1: every frame on a VERSION_1 device carries these 12 bytes first. */
export const NET_HEADER_BYTES = 12;

/**
 * The most bytes the net device reads out of one tx chain: QEMU's NET_BUFSIZE (qemu/qemu
 * include/net/net.h: the largest GSO frame, 64 KiB, plus room for the Ethernet and virtio-net
 * headers). Simplification: a longer chain is read up to the limit, as net/net.c
 * `nc_sendv_compat` linearises one (`iov_to_buf(..., NET_BUFSIZE)`); today's
 * `qemu_sendv_packet_async` drops such a frame instead, and the net checker flags it. Only net
 * has this bound: virtio-serial and virtio-balloon read a chain to its end.
 */
export const NET_BUFSIZE_BYTES = 4096 + 65536;
/** Offset of `num_buffers` in virtio_net_hdr_v1. */
export const NET_HEADER_NUM_BUFFERS = 10;

/** The net device's part of the migration state: posted rx buffers and frames waiting for one. */
export interface NetMigrationState {
  readonly type: 'net';
  readonly rxPosted: readonly QueueElement[];
  readonly backlog: readonly Buffer[];
}
