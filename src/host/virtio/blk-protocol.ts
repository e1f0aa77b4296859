/** virtio-blk as both sides speak it (include/uapi/linux/virtio_blk.h). */
import {putU32, putU64} from '../../core/little-endian.js';

export const BlkRequestType = {in: 0, out: 1, flush: 4, getId: 8} as const;
export const BlkStatus = {ok: 0, ioError: 1, unsupported: 2} as const;
/** `struct virtio_blk_outhdr`: type, ioprio, sector. */
export const BLK_HEADER_BYTES = 16;
export const SECTOR_BYTES = 512;
export const BLK_REQUEST_QUEUE = 0;

/** Writes a request header for `offsetBytes` (a multiple of the sector size) at `at`. */
export function encodeBlkHeader(target: Uint8Array, at: number, isWrite: boolean, offsetBytes: number): void {
  const sector = offsetBytes / SECTOR_BYTES;
  putU32(target, at, isWrite ? BlkRequestType.out : BlkRequestType.in);
  putU32(target, at + 4, 0);
  putU64(target, at + 8, sector);
}

/** virtio-blk keeps no state of its own beyond the rings: requests in flight are redone. */
export interface BlkMigrationState {
  readonly type: 'blk';
}
