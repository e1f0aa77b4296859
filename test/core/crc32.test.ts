import fc from 'fast-check';
import {crc32} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {crc32Ascii, crc32Bytes} from '../../src/core/crc32.js';

const SEED = 0x0c3c_3217;

describe('CRC-32 in JavaScript', () => {
  it('equals zlib’s crc32 over any bytes and any sub-range (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 300}), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32Bytes(bytes)).toBe(crc32(bytes));
        expect(crc32Bytes(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
      }),
      {seed: SEED, numRuns: 300},
    );
  });

  it('equals zlib’s crc32 of an ASCII string, and leaves any other string to zlib (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 80}), (text) => {
        const isAscii = [...text].every((character) => character.charCodeAt(0) < 0x80);
        expect(crc32Ascii(text)).toBe(isAscii ? crc32(text) : undefined);
      }),
      {seed: SEED, numRuns: 500},
    );
    expect(crc32Ascii('web: heartbeat 7')).toBe(crc32('web: heartbeat 7'));
    expect(crc32Ascii('')).toBe(crc32(''));
    expect(crc32Ascii('caf\u00e9')).toBeUndefined();
  });
});
