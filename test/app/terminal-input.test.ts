import {PassThrough} from 'node:stream';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {createTerminalInput, translateTerminalInput} from '../../src/app/terminal-input.js';
import {F10_MARK, F1_MARK, keysOf, mouseMark} from '../../src/views/key-input.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('terminal input: the keys Ink cannot name travel in band, in order', () => {
  it('turns SGR mouse reports and F1/F10 into marks and leaves the rest alone', () => {
    expect(translateTerminalInput('j\u001B[<0;5;4Mk')).toBe(`j${mouseMark(0, 4, 3, false)}k`);
    expect(translateTerminalInput('\u001B[<0;5;4m')).toBe(mouseMark(0, 4, 3, true));
    expect(translateTerminalInput('\u001BOP\u001B[11~\u001B[21~')).toBe(`${F1_MARK}${F1_MARK}${F10_MARK}`);
    expect(translateTerminalInput('\u001B[A/alpha\r')).toBe('\u001B[A/alpha\r');
  });

  it('joins a mouse report cut between two reads, and lets a lone Esc through at once', async () => {
    vi.useFakeTimers();
    const stdin = Object.assign(new PassThrough(), {setRawMode: vi.fn(), ref: vi.fn(), unref: vi.fn()});
    const input = createTerminalInput(stdin as unknown as NodeJS.ReadStream);
    const read: string[] = [];
    input.on('data', (chunk: string) => read.push(chunk));
    stdin.write('j\u001B[<0;1');
    stdin.write('2;3M');
    stdin.write('\u001B');
    await vi.advanceTimersByTimeAsync(30);
    expect(read.join('')).toBe(`j${mouseMark(0, 11, 2, false)}\u001B`);
    expect(keysOf(read.join('').slice(0, 5), {} as never)[1]).toMatchObject({
      name: 'mouse',
      column: 11,
      row: 2,
    });
    (input as unknown as {setRawMode: (mode: boolean) => void}).setRawMode(true);
    expect(stdin.setRawMode).toHaveBeenCalledWith(true);
  });
});
