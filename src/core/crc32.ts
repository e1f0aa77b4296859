/**
 * CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`) in JavaScript: the checkers check a few short
 * buffers and lines per simulated second, where a call into zlib (and the string's encoding on
 * the way) costs several times the sum itself.
 */
/** The byte-at-a-time table (a hot loop indexes it directly rather than call `crc32Step`). */
export const CRC32_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

const CRC32_START = -1;

/** The CRC-32 of a finished register. */
function crc32End(crc: number): number {
  return (crc ^ -1) >>> 0;
}

/** zlib's crc32 of bytes[start, end). */
export function crc32Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = CRC32_START;
  for (let i = start; i < end; i++) crc = CRC32_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc32End(crc);
}

/**
 * zlib's crc32 of a string (over its UTF-8 bytes), or undefined when the text is not all ASCII
 * (where UTF-8 and the code units differ; the caller asks zlib then).
 */
export function crc32Ascii(text: string): number | undefined {
  let crc = CRC32_START;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return undefined;
    crc = CRC32_TABLE[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  return crc32End(crc);
}
