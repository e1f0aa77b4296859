import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
  formatBytes,
  formatPageSize,
  formatRate,
  formatSimTime,
  formatSpan,
  screenLine,
  wrapWords,
} from '../../src/views/format.js';

describe('formatBytes and formatRate: one formatter for sizes and rates', () => {
  it('switches unit at 1000 of the smaller one, as htop does (item 12)', () => {
    expect(formatRate(1004 * 1024)).toBe('1.0MiB/s');
    expect(formatRate(1024 * 1024)).toBe('1.0MiB/s');
    expect(formatBytes(999 * 1024)).toBe('999KiB');
    expect(formatBytes(187)).toBe('187B');
    expect(formatBytes(9.2 * 1024)).toBe('9.2KiB');
    expect(formatBytes(28 * 2 ** 30)).toBe('28GiB');
    expect(formatBytes(4 * 2 ** 30)).toBe('4.0GiB');
    expect(formatRate(0)).toBe('-');
  });

  it('never prints more than three digits before the unit', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2 ** 52}), (bytes) => {
        expect(formatBytes(bytes)).toMatch(/^(\d{1,3}|\d\.\d)(B|KiB|MiB|GiB|TiB|PiB)$/);
      }),
    );
  });
});

describe('formatSimTime: the header and the events tell time the same way', () => {
  it('is seconds with tenths, then minutes, then hours', () => {
    expect(formatSimTime(0)).toBe('0.0s');
    expect(formatSimTime(12_345_678)).toBe('12.3s');
    expect(formatSimTime(342_598_000)).toBe('5m42.5s');
    expect(formatSimTime(3_725_000_000)).toBe('1h02m05s');
  });
});

describe('formatSpan: milliseconds as the host and QEMU write them', () => {
  it('is `300 ms` below a second, as in the host\'s texts ("downtime-limit 300 ms"); seconds and minutes stay clock-like', () => {
    expect(formatSpan(300)).toBe('300 ms');
    expect(formatSpan(50)).toBe('50 ms');
    expect(formatSpan(8000)).toBe('8.0s');
    expect(formatSpan(185_000)).toBe('3m05s');
  });
});

describe('formatPageSize: a page size as the kernel and QEMU write one', () => {
  it('is an exact count of its unit: 4 KiB, 64 KiB, 2 MiB', () => {
    expect(formatPageSize(4096)).toBe('4 KiB');
    expect(formatPageSize(65_536)).toBe('64 KiB');
    expect(formatPageSize(2 * 1024 * 1024)).toBe('2 MiB');
    expect(formatPageSize(512)).toBe('512 B');
  });
});

describe('wrapWords', () => {
  it('breaks at spaces and splits a word longer than the width, losing nothing', () => {
    expect(wrapWords('gamma has 12 GiB free, db-1 needs 16 GiB', 16)).toEqual([
      'gamma has 12 GiB',
      'free, db-1 needs',
      '16 GiB',
    ]);
    expect(wrapWords('sha256:fab2c90947bf0c3a verified', 10)).toEqual([
      'sha256:fab',
      '2c90947bf0',
      'c3a',
      'verified',
    ]);
  });

  it('keeps every character, in order, on lines no wider than asked', () => {
    const word = fc.stringMatching(/^[a-z0-9:.-]{1,30}$/);
    fc.assert(
      fc.property(
        fc.array(word, {minLength: 1, maxLength: 30}),
        fc.integer({min: 12, max: 80}),
        (words, width) => {
          const lines = wrapWords(words.join(' '), width);
          expect(lines.every((line) => line.length <= width)).toBe(true);
          expect(lines.join('').replaceAll(' ', '')).toBe(words.join(''));
        },
      ),
    );
  });
});

describe('screenLine', () => {
  it('pads an inverse strip to the width and leaves other lines without trailing spaces', () => {
    expect(screenLine('j/k select  ', 16, true)).toBe('j/k select      ');
    expect(screenLine('j/k select  ', 16, false)).toBe('j/k select');
    expect(screenLine('a line too long for it', 10, false)).toBe('a line to+');
    expect(screenLine('a line too long for it', 10, true)).toBe('a line to+');
  });
});
