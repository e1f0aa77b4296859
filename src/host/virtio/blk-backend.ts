import type {GuestMemory} from '../../core/guest-memory.js';
import type {PageSink} from '../../core/memory-view.js';
import type {DeviceSegment, QueueElement} from '../../core/split-virtqueue-device.js';
import {featureSet, VirtioFeature} from '../../core/virtio.js';
import {u32At, u64At} from '../../core/little-endian.js';
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

/** Service model: a fixed latency plus transfer at the backing store's bandwidth. */
const BLK_LATENCY_US = 150;
const BLK_BYTES_PER_US = 512; // 512 MiB/s

/** Moves a request's data between guest memory and the disk, page piece by page piece. */
class DiskTransfer implements PageSink {
  /** Disk offset of the request's first byte. */
  offset = 0;
  isInRange = true;
  constructor(
    readonly disk: DiskStore,
    readonly isToDisk: boolean,
  ) {}

  put(bytes: Buffer, at: number, count: number, position: number): void {
    if (this.isToDisk) this.disk.write(this.offset + position, bytes, at, count);
    else if (this.isInRange) this.disk.read(this.offset + position, bytes, at, count);
    else bytes.fill(0, at, at + count);
  }
}

/**
 * QEMU's virtio-blk over a host disk: reads the 16-byte header, moves data between guest buffers
 * and the disk, writes the status byte. Requests are served one after another; what a request
 * asks for is kept by head until it completes (a driver cannot reuse a head before then).
 */
export class BlkBackend extends VirtioBackend {
  readonly disk: DiskStore;
  #busyUntilUs = 0;
  readonly #header = Buffer.alloc(BLK_HEADER_BYTES);
  readonly #types: Uint32Array;
  readonly #offsets: Float64Array;
  readonly #lengths: Float64Array;
  readonly #toDisk: DiskTransfer;
  readonly #fromDisk: DiskTransfer;
  readonly #work = (element: QueueElement): number => this.#execute(element);

  constructor(context: SimContext, identity: BackendIdentity, memory: GuestMemory, disk: DiskStore) {
    super(
      context,
      identity,
      memory,
      featureSet(VirtioFeature.blkSegMax, VirtioFeature.blkBlkSize, VirtioFeature.blkFlush),
      emptyConfigSpace('blk'),
    );
    this.disk = disk;
    const heads = identity.config.queueSize;
    this.#types = new Uint32Array(heads);
    this.#offsets = new Float64Array(heads);
    this.#lengths = new Float64Array(heads);
    this.#toDisk = new DiskTransfer(disk, true);
    this.#fromDisk = new DiskTransfer(disk, false);
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
    const bytes = this.io.bytesAt(header.addr, this.#header, BLK_HEADER_BYTES);
    const at = this.io.bytesOffset;
    const type = u32At(bytes, at);
    const sector = u64At(bytes, at + 8);
    const length =
      type === BlkRequestType.out ? totalBytes(element.out) - BLK_HEADER_BYTES : totalBytes(element.in) - 1;
    const startUs = Math.max(this.context.scheduler.nowUs, this.#busyUntilUs);
    const doneUs = startUs + BLK_LATENCY_US + Math.ceil(length / BLK_BYTES_PER_US);
    this.#busyUntilUs = doneUs;
    const head = element.head;
    this.#types[head] = type;
    this.#offsets[head] = sector * SECTOR_BYTES;
    this.#lengths[head] = length;
    this.completeAt(queueIndex, element, doneUs, this.#work);
  }

  #execute(element: QueueElement): number {
    const head = element.head;
    const type = this.#types[head]!;
    const offset = this.#offsets[head]!;
    const length = this.#lengths[head]!;
    const isInRange = offset + length <= this.disk.capacityBytes;
    if (type === BlkRequestType.out) {
      if (!isInRange) return this.#writeStatus(element, BlkStatus.ioError);
      this.#toDisk.offset = offset;
      this.io.streamOut(element, BLK_HEADER_BYTES, this.#toDisk);
      return this.#writeStatus(element, BlkStatus.ok);
    }
    if (type === BlkRequestType.in) {
      this.#fromDisk.offset = offset;
      this.#fromDisk.isInRange = isInRange;
      const written = this.io.streamIn(element, length, this.#fromDisk);
      this.io.writeInByte(element, written, isInRange ? BlkStatus.ok : BlkStatus.ioError);
      return written + 1;
    }
    if (type === BlkRequestType.flush) return this.#writeStatus(element, BlkStatus.ok);
    return this.#writeStatus(element, BlkStatus.unsupported);
  }

  /** The status byte at the start of the device-writable buffers: the used length is 1, or 0 with none. */
  #writeStatus(element: QueueElement, status: number): number {
    return this.io.writeInByte(element, 0, status) ? 1 : 0;
  }

  protected override saveDevice(): BlkMigrationState {
    return {type: 'blk'};
  }

  protected override loadDevice(): void {}
}

function totalBytes(segments: readonly DeviceSegment[]): number {
  let total = 0;
  for (const segment of segments) total += segment.len;
  return total;
}
