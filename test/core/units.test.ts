import {describe, expect, it} from 'vitest';
import {formatBytes, formatDuration} from '../../src/core/format-units.js';
import {GiB, KiB, MiB, parseDuration, parseSize} from '../../src/core/units.js';

describe('sizes', () => {
  it.each([
    ['4GiB', 4 * GiB],
    ['128MiB', 128 * MiB],
    ['64K', 64 * KiB],
    ['1.5 GiB', 1.5 * GiB],
    ['4096', 4096],
    [512, 512],
    ['2g', 2 * GiB],
  ])('parses %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['4 parsecs', '', 'GiB', '-1MiB', '1e3', -5, 1.5])('rejects %s', (text) =>
    expect(parseSize(text)).toBeUndefined(),
  );

  it('formats with binary units in the screen format (one formatter for host and views)', () => {
    expect(formatBytes(4 * GiB)).toBe('4.0GiB');
    expect(formatBytes(128 * MiB)).toBe('128MiB');
    expect(formatBytes(1.5 * MiB)).toBe('1.5MiB');
    expect(formatBytes(512)).toBe('512B');
  });
});

describe('durations', () => {
  it.each([
    ['60s', 60_000_000],
    ['500ms', 500_000],
    ['2m', 120_000_000],
    ['1h', 3_600_000_000],
    ['250us', 250],
    ['10', 10_000_000],
    ['1.5s', 1_500_000],
  ])('parses %s', (text, microseconds) => expect(parseDuration(text)).toBe(microseconds));

  it.each(['5parsecs', 's', '', '-3s'])('rejects %s', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats for people', () => {
    expect(formatDuration(450_000)).toBe('450 ms');
    expect(formatDuration(12_300_000)).toBe('12.3s');
    expect(formatDuration(185_000_000)).toBe('3m05s');
  });
});
