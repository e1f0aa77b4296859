import {takeFrame} from '../../core/frame-pool.js';
import {copyBytes} from '../../core/copy-bytes.js';

/** Host-side storage behind a virtio-blk device: real bytes in 64 KiB chunks, allocated on write. */
export class DiskStore {
  static readonly CHUNK_BYTES = 65_536;
  readonly capacityBytes: number;
  readonly #chunks = new Map<number, Buffer>();

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  get allocatedBytes(): number {
    return this.#chunks.size * DiskStore.CHUNK_BYTES;
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
      if (!chunk) {
        chunk = takeFrame();
        this.#chunks.set(chunkIndex, chunk);
      }
      copyBytes(source, sourceOffset + done, chunk, within, count);
      done += count;
    }
  }
}
