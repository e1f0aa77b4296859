import {spawn, spawnSync} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {CLI} from '../helpers/cli.js';
import {qmpSockets, useTempDirs} from '../helpers/temp-dirs.js';

// README: "Sockets are removed on exit" — the exits through an output failure too (they call
// process.exit from the stdout error handler, past the QMP server's close).
describe('headless --qmp removes its sockets when the output fails', () => {
  const {qmpDir} = useTempDirs('svmtop-qmp-out-');

  it('stdout on /dev/full: exit 74, no socket left', () => {
    const dir = qmpDir();
    const full = openSync('/dev/full', 'w');
    const args = [CLI, '--headless', '--qmp', dir, '--duration', '1s', '--speed', '100'];
    const result = spawnSync(process.execPath, args, {stdio: ['ignore', full, 'pipe'], encoding: 'utf8'});
    closeSync(full);
    expect(result.status).toBe(74);
    expect(qmpSockets(dir)).toEqual([]);
  });

  it('a reader that closes the pipe (| head): exit 0, no socket left', async () => {
    const dir = qmpDir();
    const child = spawn(process.execPath, [CLI, '--headless', '--qmp', dir, '--duration', '10m'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let sawSockets = false;
    child.stdout.once('data', () => {
      sawSockets = qmpSockets(dir).length > 0;
      child.stdout.destroy();
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(sawSockets).toBe(true);
    expect(status).toBe(0);
    expect(qmpSockets(dir)).toEqual([]);
  });
});
