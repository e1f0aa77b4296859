import {mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {watchConfigFile, type ConfigChange} from '../../src/app/config-watcher.js';
import {pollUntil} from '../helpers/poll-until.js';

/** Polls (a watcher reports from the file system, on its own time) until `predicate` holds. */
const until = (predicate: () => boolean, what: string) =>
  pollUntil(predicate, 10_000, () => `timed out waiting for ${what}`);

let stop: (() => Promise<void>) | undefined;
afterEach(async () => stop?.());

/** Watches `name` in a fresh directory, recording every change; `ready` once chokidar has scanned. */
async function watched(setUp: (file: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'svmtop-watcher-'));
  const file = join(dir, 'world.yaml');
  setUp(file);
  const changes: ConfigChange[] = [];
  stop = watchConfigFile(file, (change) => changes.push(change), '');
  const last = () => changes.at(-1);
  await until(() => changes.length > 0, 'the first report');
  const saveAtomically = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  return {file, last, saveAtomically};
}

describe('the config watcher', () => {
  it('hears a file that was a directory when watching began, and every save after', async () => {
    const {file, last, saveAtomically} = await watched((path) => mkdirSync(path));
    expect(last()).toHaveProperty('error');
    rmSync(file, {recursive: true});
    saveAtomically('first');
    await until(() => JSON.stringify(last()) === '{"text":"first"}', 'the file');
    saveAtomically('second');
    await until(() => JSON.stringify(last()) === '{"text":"second"}', 'the second save');
  });

  it('names a directory in words', async () => {
    const {last} = await watched((path) => mkdirSync(path));
    expect(last()).toEqual({error: 'cannot read file (is a directory)'});
  });

  it('refuses a world over 4 MiB, or a link to /dev/zero, with the cap --config has', async () => {
    const {file, last} = await watched((path) => writeFileSync(path, 'x'));
    writeFileSync(file, '');
    truncateSync(file, 5 * 1024 * 1024);
    await until(
      () => JSON.stringify(last()).includes('5242880 bytes, over the limit of 4194304 bytes'),
      'the size refused',
    );
    rmSync(file);
    symlinkSync('/dev/zero', file);
    await until(
      () => JSON.stringify(last()) === '{"error":"file is over the limit of 4194304 bytes"}',
      '/dev/zero refused',
    );
  });
});
