import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {MemoryView} from '../../core/memory-view.js';
import {featureSet, VirtioFeature, type FeatureSet} from '../../core/virtio.js';
import {SHADOW_BLOCK_BYTES, type DiskShadow} from '../checkers/disk-shadow.js';
import {BLK_HEADER_BYTES, BLK_REQUEST_QUEUE, BlkStatus, encodeBlkHeader} from './blk-protocol.js';
import {DriverRequest, type SubmitResult} from './driver-request.js';
import {invariantBroken} from '../../core/assert.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
import type {DmaDirection} from '../../core/swiotlb.js';
import type {VirtioPciTransport} from './transport.js';

export interface BlkIo {
  readonly isWrite: boolean;
  /** Byte offset on the disk; a multiple of 4 KiB. */
  readonly offsetBytes: number;
  /** A multiple of 4 KiB, at most 256 KiB (the swiotlb mapping limit). */
  readonly lengthBytes: number;
  /** Called with the guest address of read data before its buffer is freed (the bootloader copies it). */
  readonly onReadData?: (gpa: number, length: number) => void;
  readonly onComplete?: (isOk: boolean) => void;
}

/**
 * virtio_blk: header, data and status byte per request. Writes carry a fresh generation's run
 * of the write template, recorded in the guest's DiskShadow when the device says OK; reads are
 * compared with it byte for byte.
 */
export class BlkDriver extends VirtioDriver {
  readonly #shadow: DiskShadow;
  /** Requests that ended, to serve again (a request allocates nothing in the steady state). */
  readonly #spareRequests: BlkRequest[] = [];

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    super(kernel, transport, 'virtio_blk');
    this.#shadow = kernel.checkers.disk;
  }

  protected get supportedFeatures(): FeatureSet {
    return featureSet(VirtioFeature.blkSegMax, VirtioFeature.blkBlkSize, VirtioFeature.blkFlush);
  }

  protected get arenaBytes(): number {
    return 1024 * 1024;
  }

  /** True when a read of that range would race a write still in flight. */
  isRangeBusy(offsetBytes: number, lengthBytes: number): boolean {
    return this.#shadow.isWriting(offsetBytes / SHADOW_BLOCK_BYTES, lengthBytes / SHADOW_BLOCK_BYTES);
  }

  /**
   * Queues one read or write.
   * @returns 'queued', 'retry' (bounce pool, ring or buffer memory full: nothing kept) or 'failed'
   */
  submitIo(io: BlkIo): SubmitResult {
    const request = this.#takeRequest();
    if (request === undefined) return 'retry';
    // The data is page-cache pages (torvalds/linux block/bio.c bio_add_page): a request of one
    // page is one guest page. Simplified: it starts at a page.
    const dataGpa = this.core.allocate(io.lengthBytes, GUEST_PAGE_SIZE);
    if (dataGpa === undefined) {
      this.#spareRequests.push(request);
      return 'retry';
    }
    const view = this.kernel.view;
    this.#writeHeader(view, request.headerGpa, io);
    const firstBlock = io.offsetBytes / SHADOW_BLOCK_BYTES;
    const blockCount = io.lengthBytes / SHADOW_BLOCK_BYTES;
    const generation = io.isWrite ? this.#shadow.nextGeneration() : 0;
    if (io.isWrite) this.#shadow.produce(view, dataGpa, generation, io.lengthBytes);
    request.prepare(io, dataGpa, generation);
    const result = this.core.submit(BLK_REQUEST_QUEUE, request);
    if (result === 'queued' && io.isWrite) this.#shadow.beginWrite(firstBlock, blockCount);
    if (result !== 'queued') request.release();
    if (result === 'failed') io.onComplete?.(false);
    return result;
  }

  /**
   * A spare request, or a new one with its header and status buffer: like blk-mq's per-tag
   * `struct virtblk_req` (torvalds/linux drivers/block/virtio_blk.c virtblk_init_request's
   * cmd_size), the buffer lives as long as the request, not one I/O; spares go with their arena
   * when the driver is removed (`onRemoved`).
   * @returns undefined when buffer memory is exhausted
   */
  #takeRequest(): BlkRequest | undefined {
    const spare = this.#spareRequests.pop();
    if (spare) return spare;
    const headerGpa = this.core.allocate(BLK_HEADER_BYTES + 1);
    return headerGpa === undefined ? undefined : new BlkRequest(this, headerGpa);
  }

  /** The rings and their arena, which held the spares' header buffers, are gone. */
  protected override onRemoved(): void {
    this.#spareRequests.length = 0;
  }

  /**
   * Fills the header and sets the status byte to 0xff (not yet written by the device). The two
   * lie in one cache-line-aligned arena allocation, so always in one page.
   */
  #writeHeader(view: MemoryView, headerGpa: number, io: BlkIo): void {
    const frame = view.bytesAt(headerGpa, BLK_HEADER_BYTES + 1, true);
    if (!frame) invariantBroken(`${this.core.label}: a request header at ${headerGpa} crosses a page`);
    const at = view.rangeOffset;
    encodeBlkHeader(frame, at, io.isWrite, io.offsetBytes);
    frame[at + BLK_HEADER_BYTES] = 0xff;
  }

  /** The device finished a request (called by BlkRequest). */
  complete(request: BlkRequest): void {
    const io = request.io;
    const isOk = this.kernel.view.readU8(request.statusGpa) === BlkStatus.ok;
    if (isOk) this.core.completed++;
    else this.core.failed++;
    const firstBlock = io.offsetBytes / SHADOW_BLOCK_BYTES;
    const blockCount = io.lengthBytes / SHADOW_BLOCK_BYTES;
    if (io.isWrite) {
      if (isOk) this.#shadow.endWrite(firstBlock, blockCount, request.generation);
      else this.#shadow.forget(firstBlock, blockCount);
    } else if (isOk) {
      this.#verifyRead(request.dataGpa, firstBlock, io.lengthBytes);
      io.onReadData?.(request.dataGpa, io.lengthBytes);
    }
    request.release();
    io.onComplete?.(isOk);
  }

  /** A request was aborted before the device answered (called by BlkRequest). */
  abort(request: BlkRequest): void {
    const io = request.io;
    if (io.isWrite)
      this.#shadow.forget(io.offsetBytes / SHADOW_BLOCK_BYTES, io.lengthBytes / SHADOW_BLOCK_BYTES);
    request.release();
    io.onComplete?.(false);
  }

  /** Gives a request's data buffer back, and the request (with its header buffer) to the spares. */
  recycle(request: BlkRequest): void {
    this.core.free(request.dataGpa);
    this.#spareRequests.push(request);
  }

  #verifyRead(dataGpa: number, firstBlock: number, length: number): void {
    const mismatches = this.#shadow.verify(this.kernel.view, dataGpa, firstBlock, length);
    if (mismatches > 0) {
      this.core.integrityErrors += mismatches;
      this.kernel.context.emit(
        this.kernel.vm,
        'integrity',
        'error',
        `${this.core.label}: ${mismatches} block(s) read back at offset ${firstBlock * SHADOW_BLOCK_BYTES} do not match what was written`,
      );
    }
  }
}

interface MutablePart {
  cpuGpa: number;
  len: number;
  direction: DmaDirection;
}

/**
 * One virtio-blk request: header, data and status buffers, and the write generation it carries.
 * Reused: once it ended (released), the driver hands it out again, so nothing keeps it past then.
 */
class BlkRequest extends DriverRequest {
  #io: BlkIo | undefined;
  dataGpa = 0;
  generation = 0;
  readonly #data: MutablePart;

  constructor(
    readonly driver: BlkDriver,
    /** The header, then the status byte. */
    readonly headerGpa: number,
  ) {
    const header: MutablePart = {cpuGpa: headerGpa, len: BLK_HEADER_BYTES, direction: 'to-device'};
    const data: MutablePart = {cpuGpa: 0, len: 0, direction: 'to-device'};
    const status: MutablePart = {cpuGpa: headerGpa + BLK_HEADER_BYTES, len: 1, direction: 'from-device'};
    super([header, data, status], true);
    this.#data = data;
  }

  get io(): BlkIo {
    return this.#io!;
  }

  prepare(io: BlkIo, dataGpa: number, generation: number): void {
    this.#io = io;
    this.dataGpa = dataGpa;
    this.generation = generation;
    this.#data.cpuGpa = dataGpa;
    this.#data.len = io.lengthBytes;
    this.#data.direction = io.isWrite ? 'to-device' : 'from-device';
  }

  get statusGpa(): number {
    return this.headerGpa + BLK_HEADER_BYTES;
  }

  done(): void {
    this.driver.complete(this);
  }

  fail(): void {
    this.driver.abort(this);
  }

  release(): void {
    this.#io = undefined;
    this.driver.recycle(this);
  }
}
