import {describe, expect, it} from 'vitest';
import {formatSpeed} from '../../src/views/format.js';

// tester16 F2: `-` six times from 1x showed `0.02x`, neither the step (1/64) nor the 0.01x bound.
describe('the speed is shown as the steps make it', () => {
  it('1/8 to 1/64 as fractions; exact decimals, bounds and measured speeds as numbers', () => {
    expect([1 / 8, 1 / 16, 1 / 32, 1 / 64].map(formatSpeed)).toEqual(['1/8x', '1/16x', '1/32x', '1/64x']);
    expect([1, 0.5, 0.25, 0.01, 7.8125, 1000, 0.19].map(formatSpeed)).toEqual([
      '1x',
      '0.5x',
      '0.25x',
      '0.01x',
      '7.81x',
      '1000x',
      '0.19x',
    ]);
  });
});
