import type {GuestMemory} from '../../core/guest-memory.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import type {SimContext} from '../sim-context.js';
import {VirtioBackend, type BackendIdentity} from './backend.js';
import {
  BLK_HEADER_BYTES,
  BlkRequestType,
  BlkStatus,
  SECTOR_BYTES,
  type BlkMigrationState,
} from './blk-protocol.js';
import {emptyConfigSpace} from './config-space.js';
import type {DiskStore} from './disk-store.js';

const STATUS_BYTES = [
  Buffer.of(BlkStatus.ok),
  Buffer.of(BlkStatus.ioError),
  Buffer.of(BlkStatus.unsupported),
];

/** Service model: a fixed latency plus transfer at the backing store's bandwidth. */
const BLK_LATENCY_US = 150;
const BLK_BYTES_PER_US = 512; // 512 MiB/s

/**
 * QEMU's virtio-blk over a host disk: reads the 16-byte header, moves data between guest buffers
 * and the disk, writes the status byte. Requests are served one after another.
 */
export class BlkBackend extends VirtioBackend {
  readonly disk: DiskStore;
  #busyUntilUs = 0;

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory, disk: DiskStore) {
    super(
      context,
      identity,
      memory,
      featureSet(VirtioFeature.blkSegMax, VirtioFeature.blkBlkSize, VirtioFeature.blkFlush),
      emptyConfigSpace('blk'),
    );
    this.disk = disk;
  }

  get queueCount(): number {
    return 1;
  }

  protected override onAvailable(queueIndex: number, element: QueueElement): void {
    const header = element.out[0];
    if (!header || element.in.length === 0) {
      this.virtioError('virtio-blk missing headers', 'blk-missing-headers');
      return;
    }
    if (header.len < BLK_HEADER_BYTES) {
      this.virtioError('virtio-blk request outhdr too short', 'blk-outhdr-too-short');
      return;
    }
    const bytes = this.io.readBytes(header.addr, BLK_HEADER_BYTES);
    const type = bytes.readUInt32LE(0);
    const sector = bytes.readUInt32LE(8) + bytes.readUInt32LE(12) * 0x1_0000_0000;
    const outBytes = element.out.reduce((sum, segment) => sum + segment.len, 0) - BLK_HEADER_BYTES;
    const inBytes = element.in.reduce((sum, segment) => sum + segment.len, 0) - 1;
    const length = type === BlkRequestType.out ? outBytes : inBytes;
    const startUs = Math.max(this.context.scheduler.nowUs, this.#busyUntilUs);
    const doneUs = startUs + BLK_LATENCY_US + Math.ceil(length / BLK_BYTES_PER_US);
    this.#busyUntilUs = doneUs;
    this.completeAt(queueIndex, element, doneUs, () =>
      this.#execute(element, type, sector * SECTOR_BYTES, length),
    );
  }

  #execute(element: QueueElement, type: number, offset: number, length: number): number {
    const isInRange = offset + length <= this.disk.capacityBytes;
    const disk = this.disk;
    if (type === BlkRequestType.out) {
      if (!isInRange) return this.io.writeIn(element, STATUS_BYTES[BlkStatus.ioError]!);
      this.io.streamOut(element, BLK_HEADER_BYTES, (bytes, at, count, position) =>
        disk.write(offset + position, bytes, at, count),
      );
      return this.io.writeIn(element, STATUS_BYTES[BlkStatus.ok]!);
    }
    if (type === BlkRequestType.in) {
      const written = this.io.streamIn(element, length, (bytes, at, count, position) => {
        if (isInRange) disk.read(offset + position, bytes, at, count);
        else bytes.fill(0, at, at + count);
      });
      this.io.writeInByte(element, written, isInRange ? BlkStatus.ok : BlkStatus.ioError);
      return written + 1;
    }
    if (type === BlkRequestType.flush) return this.io.writeIn(element, STATUS_BYTES[BlkStatus.ok]!);
    return this.io.writeIn(element, STATUS_BYTES[BlkStatus.unsupported]!);
  }

  protected override saveDevice(): BlkMigrationState {
    return {type: 'blk'};
  }

  protected override loadDevice(): void {}
}
