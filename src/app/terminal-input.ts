import {PassThrough} from 'node:stream';
import {F10_MARK, F1_MARK, mouseMark} from '../views/key-input.js';

/** Button presses and releases reported as SGR sequences (xterm's 1000 and 1006 modes). */
export const MOUSE_ON = '\u001B[?1000h\u001B[?1006h';
export const MOUSE_OFF = '\u001B[?1006l\u001B[?1000l';

/** How long an unfinished sequence at the end of a read waits for the rest (Ink waits 20 ms too). */
const CARRY_WAIT_MS = 20;

// eslint-disable-next-line no-control-regex -- terminal input is escape sequences
const SEQUENCES = /\u001B\[<(\d+);(\d+);(\d+)([Mm])|\u001BOP|\u001B\[11~|\u001B\[\[A|\u001B\[21~/g;
// eslint-disable-next-line no-control-regex -- the start of a mouse report or an F-key, cut by a read
const UNFINISHED = /\u001B(?:\[(?:<[\d;]*|1|2|\[)?|O)?$/;

/**
 * Puts the keys Ink 8 cannot name back in band: SGR mouse reports (which Ink drops) and F1/F10
 * (which reach useInput as an empty input) become private-use marks the key hook decodes, in
 * their place among the other keys. Everything else passes unchanged.
 */
export function translateTerminalInput(text: string): string {
  return text.replace(
    SEQUENCES,
    (sequence, button?: string, column?: string, row?: string, kind?: string) => {
      if (button !== undefined)
        return mouseMark(Number(button), Number(column) - 1, Number(row) - 1, kind === 'm');
      return sequence === '\u001B[21~' ? F10_MARK : F1_MARK;
    },
  );
}

/**
 * A stdin for Ink that reads the real one through `translateTerminalInput`. Raw mode and
 * ref/unref go to the real terminal. A sequence cut at the end of a read waits briefly for its
 * rest, then passes as it is.
 */
export function createTerminalInput(stdin: NodeJS.ReadStream): NodeJS.ReadStream {
  const input = new PassThrough({encoding: 'utf8'});
  let carry = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (carry) input.write(carry);
    carry = '';
  };
  stdin.setEncoding('utf8');
  stdin.on('data', (chunk: string | Buffer) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const text = carry + String(chunk);
    const unfinished = UNFINISHED.exec(text)?.[0] ?? '';
    // A lone Esc is a key: Ink's own 20 ms wait tells it from a sequence.
    carry = unfinished === '\u001B' ? '' : unfinished;
    const ready = text.slice(0, text.length - carry.length);
    if (ready) input.write(translateTerminalInput(ready));
    if (carry) timer = setTimeout(flush, CARRY_WAIT_MS);
  });
  Object.assign(input, {
    isTTY: true,
    setRawMode: (isRaw: boolean) => {
      stdin.setRawMode(isRaw);
      return input;
    },
    ref: () => {
      stdin.ref();
      return input;
    },
    unref: () => {
      stdin.unref();
      return input;
    },
  });
  return input as unknown as NodeJS.ReadStream;
}
