/**
 * CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`) in JavaScript: the checkers check a few short
 * buffers and lines per simulated second, where a call into zlib (and the string's encoding on
 * the way) costs several times the sum itself.
 */
const CRC32_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** A CRC-32 register before any byte. */
export const CRC32_START = -1;

/** The register after one more byte. */
export function crc32Byte(crc: number, byte: number): number {
  return CRC32_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
}

/** The register after bytes[start, end). */
export function crc32Update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = crc32Byte(crc, bytes[i]!);
  return crc;
}

/** The CRC-32 of a finished register. */
export function crc32End(crc: number): number {
  return (crc ^ -1) >>> 0;
}

/** zlib's crc32 of bytes[start, end). */
export function crc32Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32End(crc32Update(CRC32_START, bytes, start, end));
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
    crc = crc32Byte(crc, code);
  }
  return crc32End(crc);
}
