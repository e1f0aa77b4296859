import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {exactInteger, toJson} from '../../src/core/exact-json.js';

const SEED = Number(process.env.EXACT_JSON_SEED ?? 20_261_130);

describe('toJson: JSON.stringify, with bigints as their exact integers', () => {
  it('writes plain data byte for byte as JSON.stringify does, on the bigint path too (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(toJson(value)).toBe(JSON.stringify(value));
        // A bigint beside it takes the slow path; everything else must still come out the same.
        expect(toJson([value, 1n])).toBe(`[${JSON.stringify(value)},1]`);
      }),
      {seed: SEED, numRuns: 300},
    );
  });

  it('writes a bigint anywhere as its digits, and keeps JSON.stringify rules for the rest', () => {
    const plain = {skipped: undefined, nested: {at: new Date(0), nan: Number.NaN}};
    const value = {a: 2n ** 64n - 1n, ...plain, list: [1, undefined, -(2n ** 63n), 'x"y', null, () => 1]};
    const reference = JSON.stringify({...plain, list: [1, undefined, 0, 'x"y', null, () => 1]});
    expect(toJson(value)).toBe(
      reference
        .replace('{', '{"a":18446744073709551615,')
        .replace('[1,null,0,', '[1,null,-9223372036854775808,'),
    );
  });

  it('exactInteger: a number while a double holds it exactly, else the bigint', () => {
    expect(exactInteger(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(exactInteger(2n ** 53n)).toBe(2n ** 53n);
    expect(exactInteger(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
  });
});
