/** virtio-blk as both sides speak it (include/uapi/linux/virtio_blk.h). */

export const BlkRequestType = {in: 0, out: 1, flush: 4, getId: 8} as const;
export const BlkStatus = {ok: 0, ioError: 1, unsupported: 2} as const;
/** `struct virtio_blk_outhdr`: type, ioprio, sector. */
export const BLK_HEADER_BYTES = 16;
export const SECTOR_BYTES = 512;
export const BLK_REQUEST_QUEUE = 0;

/** Writes a request header for `offsetBytes` (a multiple of the sector size). */
export function encodeBlkHeader(target: Buffer, isWrite: boolean, offsetBytes: number): void {
  const sector = offsetBytes / SECTOR_BYTES;
  target.writeUInt32LE(isWrite ? BlkRequestType.out : BlkRequestType.in, 0);
  target.writeUInt32LE(0, 4);
  target.writeUInt32LE(sector >>> 0, 8);
  target.writeUInt32LE(Math.floor(sector / 0x1_0000_0000), 12);
}

/** virtio-blk keeps no state of its own beyond the rings: requests in flight are redone. */
export interface BlkMigrationState {
  readonly type: 'blk';
}
