import {spawnSync} from 'node:child_process';
import {lstatSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, expect} from 'vitest';

/**
 * Fresh temporary directories for each test of the calling file or describe block, removed after
 * the test. Call it before registering hooks that stop what uses them (servers, children): vitest
 * runs afterEach hooks last-registered first, so those stop before the directories go.
 */
export function useTempDirs(prefix: string): {root: () => string; qmpDir: () => string} {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, {recursive: true, force: true});
  });
  const root = () => {
    const made = mkdtempSync(join(tmpdir(), prefix));
    roots.push(made);
    return made;
  };
  /** A --qmp DIR that does not exist yet, in a fresh root: svmtop creates it. */
  const qmpDir = () => join(root(), 'q');
  return {root, qmpDir};
}

/** The QMP sockets in `dir` (not a leaked `.qm~`, nor anything else). */
export const qmpSockets = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.qmp'));

/** Leaves a socket at `path` that nobody listens on, as a crashed process does (exit runs no close). */
export function orphanSocket(path: string): void {
  const script = `require('node:net').createServer().listen(process.argv[1], () => process.exit(0))`;
  const result = spawnSync(process.execPath, ['-e', script, path], {timeout: 30_000});
  expect(result.status, String(result.stderr)).toBe(0);
  expect(lstatSync(path).isSocket()).toBe(true);
}
