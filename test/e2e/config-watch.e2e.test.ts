import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';
import {startSvmtop} from '../helpers/pty.js';

/** The default world with one more guest, so each save is visible on the screen. */
function withGuest(original: string, name: string): string {
  return original.replace(
    '  - name: churn-1',
    `  - name: ${name}\n    host: delta\n    memory: 1GiB\n    devices: [{type: net}]\n\n  - name: churn-1`,
  );
}

describe('the config watcher', () => {
  it('sees every later state of the file: file, directory, file again, then each atomic save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmtop-watch-'));
    const file = join(dir, 'world.yaml');
    copyFileSync(DEFAULT_WORLD_FILE, file);
    const original = readFileSync(file, 'utf8');
    const saveAtomically = (text: string) => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    };
    const session = startSvmtop(['--config', file]);
    await session.waitFor((screen) => screen.includes('churn-1'), 'the dashboard');
    rmSync(file);
    mkdirSync(file);
    await session.waitFor(
      (screen) => screen.includes('cannot read file (is a directory)'),
      'the directory banner',
    );
    rmSync(file, {recursive: true});
    saveAtomically(original);
    await session.waitFor((screen) => !screen.includes('is a directory'), 'the banner gone');
    for (const name of ['extra-1', 'extra-2', 'extra-3', 'extra-4']) {
      saveAtomically(withGuest(original, name));
      await session.waitFor((screen) => screen.includes(name), `${name} added`);
    }
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });
});
