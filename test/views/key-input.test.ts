import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {F10_MARK, F1_MARK, keysOf, mouseMark} from '../../src/views/key-input.js';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

describe('keysOf: one useInput call is every key of a burst, in order', () => {
  it('splits a run of characters Ink delivers as one string ("jp", "/alpha\\r")', () => {
    expect(keysOf('jp', NO_KEY)).toEqual([
      {name: 'char', char: 'j'},
      {name: 'char', char: 'p'},
    ]);
    expect(keysOf('/a\r', NO_KEY)).toEqual([
      {name: 'char', char: '/'},
      {name: 'char', char: 'a'},
      {name: 'return'},
    ]);
    expect(keysOf('x\ty\u001A', NO_KEY)).toEqual([
      {name: 'char', char: 'x'},
      {name: 'tab'},
      {name: 'char', char: 'y'},
      {name: 'ctrl', letter: 'z'},
    ]);
  });

  it('reads Esc then a key, which Ink reports as meta, as two keys ("Esc q")', () => {
    expect(keysOf('q', {...NO_KEY, meta: true})).toEqual([{name: 'escape'}, {name: 'char', char: 'q'}]);
    expect(keysOf('', {...NO_KEY, escape: true, meta: true})).toEqual([{name: 'escape'}]);
  });

  it('names the keys Ink flags, and control keys', () => {
    expect(keysOf('', {...NO_KEY, upArrow: true, shift: true})).toEqual([{name: 'up', isShifted: true}]);
    expect(keysOf('', {...NO_KEY, tab: true, shift: true})).toEqual([{name: 'backtab'}]);
    expect(keysOf('c', {...NO_KEY, ctrl: true})).toEqual([{name: 'ctrl', letter: 'c'}]);
    expect(keysOf('', NO_KEY)).toEqual([{name: 'unknown'}]);
  });

  it('decodes the in-band marks for F1, F10 and mouse reports among other keys', () => {
    expect(keysOf(`j${F1_MARK}${mouseMark(0, 4, 7, false)}${F10_MARK}`, NO_KEY)).toEqual([
      {name: 'char', char: 'j'},
      {name: 'f1'},
      {name: 'mouse', button: 0, column: 4, row: 7, isRelease: false},
      {name: 'f10'},
    ]);
  });
});
