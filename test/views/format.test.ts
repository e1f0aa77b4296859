import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {screenLine, wrapWords} from '../../src/views/format.js';

describe('wrapWords', () => {
  it('breaks at spaces and cuts a word longer than the width with +', () => {
    expect(wrapWords('gamma has 12 GiB free, db-1 needs 16 GiB', 16)).toEqual([
      'gamma has 12 GiB',
      'free, db-1 needs',
      '16 GiB',
    ]);
    expect(wrapWords('sha256:fab2c90947bf0c3a verified', 10)).toEqual(['sha256:fa+', 'verified']);
  });

  it('keeps every word, in order, on lines no wider than asked', () => {
    const word = fc.stringMatching(/^[a-z0-9:.-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(word, {minLength: 1, maxLength: 30}),
        fc.integer({min: 12, max: 80}),
        (words, width) => {
          const lines = wrapWords(words.join(' '), width);
          expect(lines.every((line) => line.length <= width)).toBe(true);
          expect(lines.join(' ')).toBe(words.join(' '));
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
