import {spawn, type ChildProcess} from 'node:child_process';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {CLI} from './cli.js';

/** Below vitest's 30 s test timeout, so a silent child fails the test with its stderr, not a timeout. */
const WAIT_MS = 20_000;

/** A running `svmtop --headless ...`: its output as it comes, a wait for its first output, its end. */
export interface HeadlessChild {
  readonly child: ChildProcess;
  /** Exit code and signal, once it has ended and its output is read. */
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
  /** Resolves on its first output: with --qmp, written once the QMP server has started. */
  readonly firstOutput: Promise<void>;
  /** Its stdout so far as JSON lines. */
  lines(): Array<{type: string; t: number}>;
  stdout(): string;
  stderr(): string;
}

const started: ChildProcess[] = [];

/** Starts the built svmtop with `args` (config kept out of ~/.config). */
export function startHeadless(args: readonly string[]): HeadlessChild {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, XDG_CONFIG_HOME: join(tmpdir(), 'svmtop-headless-child-cfg')},
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('close', (code, signal) => resolve({code, signal})),
  );
  const firstOutput = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output after ${WAIT_MS} ms: ${stderr}`)), WAIT_MS);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    // A child that ends without output (a refused run) must not leave the timer to reject later,
    // into a run that has moved on: settle now, with what it said.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`ended (code ${code}, signal ${signal}) before any output: ${stderr}`));
    });
  });
  // Nobody awaits firstOutput of a child expected to be refused: its rejection is not an error.
  firstOutput.catch(() => {});
  const lines = () =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; t: number});
  return {child, exited, firstOutput, lines, stdout: () => stdout, stderr: () => stderr};
}

/** Kills (SIGKILL) every child started that is still running: for afterEach. */
export function killStartedChildren(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
