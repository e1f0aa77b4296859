import {takeFrame} from '../../core/frame-pool.js';
import {copyBytes} from '../../core/copy-bytes.js';
import {PageTable} from '../../core/page-table.js';

/** Host-side storage behind a virtio-blk device: real bytes in 64 KiB chunks, allocated on write. */
export class DiskStore {
  static readonly CHUNK_BYTES = 65_536;
  readonly capacityBytes: number;
  /** Chunks by index (a page table: two array loads where a Map hashed the index on every request). */
  readonly #chunks: PageTable<Buffer>;
  /** Chunks that are views of an installed image, copied on their first write. */
  readonly #shared = new Set<number>();
  /** Every shared chunk's index is below this: a write above it needs no look in the set. */
  #sharedEnd = 0;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
    this.#chunks = new PageTable<Buffer>(Math.ceil(capacityBytes / DiskStore.CHUNK_BYTES));
  }

  /** Bytes of chunks the disk holds of its own (not views of an installed image). */
  get allocatedBytes(): number {
    return (this.#chunks.size - this.#shared.size) * DiskStore.CHUNK_BYTES;
  }

  /**
   * Puts `image` at offset 0, as `write` would, but keeps its whole chunks as views of it (a
   * backing file under the disk, QEMU's qcow2 backing_file): `image` must never change.
   */
  install(image: Buffer): void {
    const wholeChunks = Math.floor(image.length / DiskStore.CHUNK_BYTES);
    for (let index = 0; index < wholeChunks; index++) {
      this.#chunks.set(
        index,
        image.subarray(index * DiskStore.CHUNK_BYTES, (index + 1) * DiskStore.CHUNK_BYTES),
      );
      this.#shared.add(index);
    }
    this.#sharedEnd = Math.max(this.#sharedEnd, wholeChunks);
    const installed = wholeChunks * DiskStore.CHUNK_BYTES;
    this.write(installed, image, installed, image.length - installed);
  }

  /** Copies disk bytes [offset, offset+length) into target[targetOffset...]. */
  read(offset: number, target: Uint8Array, targetOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const chunkIndex = Math.floor(position / DiskStore.CHUNK_BYTES);
      const within = position - chunkIndex * DiskStore.CHUNK_BYTES;
      const count = Math.min(DiskStore.CHUNK_BYTES - within, length - done);
      const chunk = this.#chunks.get(chunkIndex);
      if (chunk) copyBytes(chunk, within, target, targetOffset + done, count);
      else target.fill(0, targetOffset + done, targetOffset + done + count);
      done += count;
    }
  }

  write(offset: number, source: Uint8Array, sourceOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const chunkIndex = Math.floor(position / DiskStore.CHUNK_BYTES);
      const within = position - chunkIndex * DiskStore.CHUNK_BYTES;
      const count = Math.min(DiskStore.CHUNK_BYTES - within, length - done);
      let chunk = this.#chunks.get(chunkIndex);
      if (!chunk || (chunkIndex < this.#sharedEnd && this.#shared.delete(chunkIndex))) {
        const own = takeFrame();
        // An image chunk the write covers whole needs none of its bytes.
        if (chunk && count < DiskStore.CHUNK_BYTES) own.set(chunk);
        chunk = own;
        this.#chunks.set(chunkIndex, chunk);
      }
      copyBytes(source, sourceOffset + done, chunk, within, count);
      done += count;
    }
  }
}
