import {featureSet, VirtioFeature, type FeatureSet} from '../../core/virtio.js';
import {WRITE_TEMPLATE, writeStart} from '../block-pattern.js';
import {SHADOW_BLOCK_BYTES, type DiskShadow} from '../checkers/disk-shadow.js';
import {BLK_HEADER_BYTES, BLK_REQUEST_QUEUE, BlkStatus, encodeBlkHeader} from './blk-protocol.js';
import {DriverRequest, type SubmitResult} from './driver-request.js';
import {VirtioDriver} from './driver.js';
import type {KernelServices} from './kernel-services.js';
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
  readonly #header = Buffer.alloc(BLK_HEADER_BYTES);

  constructor(kernel: KernelServices, transport: VirtioPciTransport) {
    super(kernel, transport);
    this.#shadow = kernel.checkers.disk;
  }

  get driverName(): string {
    return 'virtio_blk';
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
    const headerGpa = this.allocateBuffer(BLK_HEADER_BYTES + 1);
    if (headerGpa === undefined) return 'retry';
    const dataGpa = this.allocateBuffer(io.lengthBytes);
    if (dataGpa === undefined) {
      this.freeBuffer(headerGpa);
      return 'retry';
    }
    const view = this.kernel.view;
    const header = this.#header;
    encodeBlkHeader(header, io.isWrite, io.offsetBytes);
    view.write(headerGpa, header, 0, BLK_HEADER_BYTES);
    view.writeU8(headerGpa + BLK_HEADER_BYTES, 0xff);
    const firstBlock = io.offsetBytes / SHADOW_BLOCK_BYTES;
    const blockCount = io.lengthBytes / SHADOW_BLOCK_BYTES;
    const generation = io.isWrite ? this.#shadow.nextGeneration() : 0;
    if (io.isWrite) view.write(dataGpa, WRITE_TEMPLATE, writeStart(generation), io.lengthBytes);
    const request = new BlkRequest(this, io, headerGpa, dataGpa, generation);
    const result = this.submitRequest(BLK_REQUEST_QUEUE, request);
    if (result === 'queued' && io.isWrite) this.#shadow.beginWrite(firstBlock, blockCount);
    if (result !== 'queued') request.release();
    if (result === 'failed') io.onComplete?.(false);
    return result;
  }

  /** The device finished a request (called by BlkRequest). */
  complete(request: BlkRequest): void {
    const io = request.io;
    const isOk = this.kernel.view.readU8(request.statusGpa) === BlkStatus.ok;
    if (isOk) this.completed++;
    else this.failed++;
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

  /** Gives a request's buffers back. */
  releaseBuffers(headerGpa: number, dataGpa: number): void {
    this.freeBuffer(headerGpa);
    this.freeBuffer(dataGpa);
  }

  #verifyRead(dataGpa: number, firstBlock: number, length: number): void {
    const mismatches = this.#shadow.verify(this.kernel.view, dataGpa, firstBlock, length);
    if (mismatches > 0) {
      this.integrityErrors += mismatches;
      this.kernel.context.emit(
        this.kernel.vm,
        'integrity',
        'error',
        `${this.driverName} ${this.deviceName}: ${mismatches} block(s) read back at offset ${firstBlock * SHADOW_BLOCK_BYTES} do not match what was written`,
      );
    }
  }
}

/** One virtio-blk request: header, data and status buffers, and the write generation it carries. */
class BlkRequest extends DriverRequest {
  constructor(
    readonly driver: BlkDriver,
    readonly io: BlkIo,
    readonly headerGpa: number,
    readonly dataGpa: number,
    readonly generation: number,
  ) {
    super(
      [
        {cpuGpa: headerGpa, len: BLK_HEADER_BYTES, direction: 'to-device'},
        {cpuGpa: dataGpa, len: io.lengthBytes, direction: io.isWrite ? 'to-device' : 'from-device'},
        {cpuGpa: headerGpa + BLK_HEADER_BYTES, len: 1, direction: 'from-device'},
      ],
      true,
    );
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
    this.driver.releaseBuffers(this.headerGpa, this.dataGpa);
  }
}
