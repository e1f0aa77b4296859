import {useInput, type Key} from 'ink';

/** One key as the dashboard reads it, whatever the terminal sent. */
export type KeyPress =
  | {readonly name: 'char'; readonly char: string}
  | {
      readonly name:
        | 'up'
        | 'down'
        | 'left'
        | 'right'
        | 'pageup'
        | 'pagedown'
        | 'home'
        | 'end'
        | 'tab'
        | 'backtab'
        | 'return'
        | 'escape'
        | 'backspace'
        | 'f1'
        | 'f10'
        | 'unknown';
      readonly isShifted?: boolean;
    }
  | {readonly name: 'ctrl'; readonly letter: string}
  | {
      readonly name: 'mouse';
      /** SGR button code: 0 left, 1 middle, 2 right, 64 wheel up, 65 wheel down (+4 shift, +8 meta, +16 ctrl). */
      readonly button: number;
      /** Zero-based cell. */
      readonly column: number;
      readonly row: number;
      readonly isRelease: boolean;
    };

// Ink 8 drops complete CSI sequences that name no key (SGR mouse reports) and hands F1 and F10
// to useInput as an empty input with no flag (`vadimdemedes/ink src/components/App.tsx
// handleReadable`, `src/hooks/use-input.ts`). The app's terminal input puts them back in band as
// private-use characters, inside the same chunk, so they reach the key hook in order with the
// keys around them. A user can only type these characters by pasting them.
export const F1_MARK = '\uE001';
export const F10_MARK = '\uE00A';
const MOUSE_PRESS_MARK = '\uE100';
const MOUSE_RELEASE_MARK = '\uE101';
const MOUSE_BUTTON_BASE = 0xe200;
const MOUSE_CELL_BASE = 0xe400;
/** The largest cell a mouse mark can carry (rows and columns beyond are clamped). */
const MOUSE_CELL_MAX = 0x0fff;

/** A mouse report as the in-band mark the key hook decodes (cells are zero-based). */
export function mouseMark(button: number, column: number, row: number, isRelease: boolean): string {
  const cell = (value: number) =>
    String.fromCharCode(MOUSE_CELL_BASE + Math.max(0, Math.min(MOUSE_CELL_MAX, value)));
  return (
    (isRelease ? MOUSE_RELEASE_MARK : MOUSE_PRESS_MARK) +
    String.fromCharCode(MOUSE_BUTTON_BASE + Math.max(0, Math.min(0xff, button))) +
    cell(column) +
    cell(row)
  );
}

/**
 * The keys in one `useInput` call, in order. Ink passes a run of plain characters typed or pasted
 * together as one string ("jp", "/alpha\r"), Esc followed by a character as that character with
 * `meta` (the dashboard has no Alt bindings, so it is Esc then the key), and every escape sequence
 * as a call of its own.
 */
export function keysOf(input: string, key: Key): KeyPress[] {
  const named = namedKey(key);
  if (named) return key.meta && named.name !== 'escape' ? [{name: 'escape'}, named] : [named];
  if (key.ctrl && input.length === 1) return [{name: 'ctrl', letter: input.toLowerCase()}];
  const keys = textKeys(input);
  return key.meta ? [{name: 'escape'}, ...keys] : keys;
}

function namedKey(key: Key): KeyPress | undefined {
  if (key.upArrow) return {name: 'up', isShifted: key.shift};
  if (key.downArrow) return {name: 'down', isShifted: key.shift};
  if (key.leftArrow) return {name: 'left'};
  if (key.rightArrow) return {name: 'right'};
  if (key.pageUp) return {name: 'pageup'};
  if (key.pageDown) return {name: 'pagedown'};
  if (key.home) return {name: 'home'};
  if (key.end) return {name: 'end'};
  if (key.tab) return {name: key.shift ? 'backtab' : 'tab'};
  if (key.return) return {name: 'return'};
  if (key.escape) return {name: 'escape'};
  if (key.backspace || key.delete) return {name: 'backspace'};
  return undefined;
}

/** Splits a run of characters into keys: control characters by name, marks decoded. */
function textKeys(input: string): KeyPress[] {
  if (input === '') return [{name: 'unknown'}];
  const keys: KeyPress[] = [];
  for (let index = 0; index < input.length; index++) {
    const character = input[index]!;
    if (character === MOUSE_PRESS_MARK || character === MOUSE_RELEASE_MARK) {
      if (index + 3 < input.length) {
        keys.push({
          name: 'mouse',
          button: input.charCodeAt(index + 1) - MOUSE_BUTTON_BASE,
          column: input.charCodeAt(index + 2) - MOUSE_CELL_BASE,
          row: input.charCodeAt(index + 3) - MOUSE_CELL_BASE,
          isRelease: character === MOUSE_RELEASE_MARK,
        });
      }
      index += 3;
      continue;
    }
    keys.push(characterKey(character));
  }
  return keys;
}

function characterKey(character: string): KeyPress {
  if (character === F1_MARK) return {name: 'f1'};
  if (character === F10_MARK) return {name: 'f10'};
  if (character === '\r' || character === '\n') return {name: 'return'};
  if (character === '\t') return {name: 'tab'};
  if (character === '\u007F' || character === '\b') return {name: 'backspace'};
  if (character === '\u001B') return {name: 'escape'};
  const code = character.charCodeAt(0);
  if (code >= 1 && code <= 26) return {name: 'ctrl', letter: String.fromCharCode(code + 96)};
  if (code < 0x20 || code === 0x7f) return {name: 'unknown'};
  return {name: 'char', char: character};
}

/** How the status line names a key it has no action for. */
export function describeKeyPress(key: KeyPress): string {
  switch (key.name) {
    case 'char':
      return `"${key.char}"`;
    case 'ctrl':
      return `Ctrl-${key.letter.toUpperCase()}`;
    case 'mouse':
      return 'that click';
    case 'unknown':
      return 'that key';
    case 'left':
      return 'Left';
    case 'right':
      return 'Right';
    default:
      return key.name;
  }
}

/**
 * Reads keys and sends each one, in order, as an intent. What a key means (and which VM it acts
 * on) is decided by the reducer with its state of the moment, never by this render's closure.
 */
export function useDashboardKeys(
  send: (intent: {readonly type: 'key'; readonly key: KeyPress}) => void,
): void {
  useInput((input, key) => {
    for (const press of keysOf(input, key)) send({type: 'key', key: press});
  });
}
