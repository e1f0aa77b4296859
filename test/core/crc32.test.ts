import fc from 'fast-check';
import {crc32} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {crc32Ascii, crc32Bytes} from '../../src/core/crc32.js';

const SEED = 0x0c3c_3217;

/** Short inputs and, as often, long ones (up to several table passes over every byte value). */
const shortOrLong = <T>(make: (constraints: {minLength: number; maxLength: number}) => fc.Arbitrary<T>) =>
  fc.oneof(make({minLength: 0, maxLength: 80}), make({minLength: 1_000, maxLength: 20_000}));

describe('CRC-32 in JavaScript', () => {
  it('equals zlib’s crc32 over any bytes, short or long, and any sub-range (seed printed on failure)', () => {
    fc.assert(
      fc.property(
        shortOrLong((lengths) => fc.uint8Array(lengths)),
        fc.nat(),
        fc.nat(),
        (bytes, a, b) => {
          const start = bytes.length === 0 ? 0 : a % bytes.length;
          const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
          expect(crc32Bytes(bytes)).toBe(crc32(bytes));
          expect(crc32Bytes(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
        },
      ),
      {seed: SEED, numRuns: 200},
    );
  });

  it('equals zlib’s crc32 of an ASCII string, short or long (seed printed on failure)', () => {
    fc.assert(
      fc.property(
        shortOrLong((lengths) => fc.string({unit: 'binary-ascii', ...lengths})),
        (text) => {
          expect(crc32Ascii(text)).toBe(crc32(text));
        },
      ),
      {seed: SEED, numRuns: 300},
    );
    expect(crc32Ascii('web: heartbeat 7')).toBe(crc32('web: heartbeat 7'));
    expect(crc32Ascii('')).toBe(crc32(''));
  });

  it('leaves any string with a character outside ASCII to zlib, wherever the character is (seed printed on failure)', () => {
    fc.assert(
      fc.property(
        shortOrLong((lengths) => fc.string({unit: 'binary-ascii', ...lengths})),
        fc.string({unit: 'binary', minLength: 1, maxLength: 3}).filter((text) => /[^\0-\x7f]/.test(text)),
        fc.nat(),
        (ascii, other, at) => {
          const cut = at % (ascii.length + 1);
          expect(crc32Ascii(ascii.slice(0, cut) + other + ascii.slice(cut))).toBeUndefined();
        },
      ),
      {seed: SEED, numRuns: 300},
    );
    fc.assert(
      fc.property(
        shortOrLong((lengths) => fc.string({unit: 'binary', ...lengths})),
        (text) => {
          const isAscii = [...text].every((character) => character.charCodeAt(0) < 0x80);
          expect(crc32Ascii(text)).toBe(isAscii ? crc32(text) : undefined);
        },
      ),
      {seed: SEED, numRuns: 100},
    );
    expect(crc32Ascii('caf\u00e9')).toBeUndefined();
  });
});
