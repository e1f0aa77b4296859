import {EventEmitter} from 'node:events';
import {render, type Instance} from 'ink';
import type {ReactNode} from 'react';

// ink-testing-library's fake stdout is always 100 columns wide, and Ink lays the root out at the
// stdout's width: a 120-column dashboard drawn into it has its boxes' right borders at column 100.
// This is the same harness with the size as a parameter.

class Stdout extends EventEmitter {
  readonly frames: string[] = [];
  isTTY = true;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = () => this.frames.at(-1);
}

class Stdin extends EventEmitter {
  isTTY = true;
  #data: string | null = null;
  write = (data: string) => {
    this.#data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const data = this.#data;
    this.#data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export interface TestTerminal {
  readonly stdin: Stdin;
  readonly frames: string[];
  lastFrame(): string | undefined;
  readonly instance: Instance;
}

/** Renders `tree` into a fake terminal of `columns` × `rows` (debug mode: every frame in full). */
export function renderInTerminal(tree: ReactNode, columns: number, rows: number): TestTerminal {
  const stdout = new Stdout(columns, rows);
  const stdin = new Stdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new Stdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {stdin, frames: stdout.frames, lastFrame: stdout.lastFrame, instance};
}
