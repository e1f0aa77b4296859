/**
 * Little-endian fields read and written byte by byte in a plain byte array: the ring's hot paths
 * (no Buffer methods, whose bounds and argument checks cost more than the field). 64-bit values
 * are guest addresses, which fit in 53 bits.
 */

export function u16At(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

export function u32At(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}

export function u64At(bytes: Uint8Array, offset: number): number {
  return u32At(bytes, offset) + u32At(bytes, offset + 4) * 0x1_0000_0000;
}

export function putU16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value;
  target[offset + 1] = value >>> 8;
}

export function putU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value;
  target[offset + 1] = value >>> 8;
  target[offset + 2] = value >>> 16;
  target[offset + 3] = value >>> 24;
}

export function putU64(target: Uint8Array, offset: number, value: number): void {
  putU32(target, offset, value >>> 0);
  putU32(target, offset + 4, Math.floor(value / 0x1_0000_0000) >>> 0);
}
