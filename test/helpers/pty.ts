import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import {CLI} from './cli.js';

export interface PtySession {
  readonly screen: () => string;
  readonly lines: () => string[];
  readonly raw: () => string;
  press(keys: string): void;
  resize(columns: number, rows: number): void;
  kill(signal?: string): void;
  /** Closes the terminal as closing its window does: the master side goes away, then SIGHUP. */
  hangUp(): void;
  /** Polls the screen until `predicate` holds; fails with the screen after `timeoutMs`. */
  waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{exitCode: number; signal?: number | undefined}>;
  readonly configHome: string;
  readonly pid: number;
}

/** Starts the real `svmtop` in a pseudo-terminal and mirrors its output in a headless xterm. */
export function startSvmtop(
  args: string[] = [],
  options: {
    columns?: number;
    rows?: number;
    env?: Record<string, string>;
    configHome?: string;
    /** Another program to start instead (a shell that then starts svmtop, for job control). */
    command?: {readonly file: string; readonly args: readonly string[]};
  } = {},
): PtySession {
  const columns = options.columns ?? 120;
  const rows = options.rows ?? 40;
  const configHome = options.configHome ?? mkdtempSync(join(tmpdir(), 'svmtop-prefs-'));
  const terminal = new xterm.Terminal({cols: columns, rows, allowProposedApi: true});
  let raw = '';
  const file = options.command?.file ?? process.execPath;
  const child = pty.spawn(file, options.command ? [...options.command.args] : [CLI, ...args], {
    name: 'xterm-256color',
    cols: columns,
    rows,
    cwd: process.cwd(),
    env: {
      ...process.env,
      XDG_CONFIG_HOME: configHome,
      TERM: 'xterm-256color',
      CI: 'true',
      // The dashboard draws UTF-8 or ASCII from the locale (src/app/charset.ts); pin UTF-8 so the
      // runner's LANG (unset on a bare CI box) does not pick the glyphs a test waits for.
      LANG: 'C.UTF-8',
      LC_ALL: '',
      LC_CTYPE: '',
      ...options.env,
    } as Record<string, string>,
  });
  child.onData((data) => {
    raw += data;
    terminal.write(data);
  });
  const exited = new Promise<{exitCode: number; signal?: number | undefined}>((resolve) =>
    child.onExit(resolve),
  );
  const lines = () => {
    const buffer = terminal.buffer.active;
    const out: string[] = [];
    for (let row = 0; row < terminal.rows; row++)
      out.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return out;
  };
  const screen = () => lines().join('\n');
  return {
    screen,
    lines,
    raw: () => raw,
    press: (keys) => child.write(keys),
    resize(newColumns, newRows) {
      child.resize(newColumns, newRows);
      terminal.resize(newColumns, newRows);
    },
    kill: (signal = 'SIGTERM') => child.kill(signal),
    hangUp: () => (child as unknown as {destroy(): void}).destroy(),
    async waitFor(predicate, what, timeoutMs = 15_000) {
      const start = Date.now();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await new Promise<void>((resolve) => terminal.write('', resolve));
        const current = screen();
        if (predicate(current)) return current;
        if (Date.now() - start > timeoutMs) {
          const dump = join(tmpdir(), `svmtop-e2e-${child.pid}.raw`);
          writeFileSync(dump, raw);
          throw new Error(`timed out waiting for ${what} (raw output in ${dump}); screen was:\n${current}`);
        }
      }
    },
    exited,
    configHome,
    pid: child.pid,
  };
}
