import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../src/app/parse-args.js';

const parse = (...argv: string[]) => parseArgs(argv, import.meta);

// --refresh out of range was clamped without a word (10h ran at 60 s and saved 60000 ms, 1ms ran
// at 100 ms); --speed out of range is exit 2, and --refresh now is too, naming the range.
describe('--refresh range', () => {
  it.each(['10h', '61s', '1ms', '99ms'])('refuses --refresh %s, naming the range', (value) => {
    expect(parse('--refresh', value)).toEqual({
      mode: 'error',
      message: `--refresh: expected a refresh interval from 100 ms to 60 s, got "${value}"`,
    });
  });

  it.each([
    ['100ms', 100_000],
    ['60s', 60_000_000],
    ['1m', 60_000_000],
    ['2s', 2_000_000],
  ])('takes --refresh %s, the bounds included', (value, refreshUs) => {
    expect(parse('--refresh', value)).toMatchObject({mode: 'dashboard', refreshUs});
  });
});
