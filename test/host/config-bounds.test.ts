import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../../src/host/config/load-world.js';
import {CONFIG_FILE_MAX_BYTES} from '../../src/host/config/load-yaml.js';
import {readFileBounded, readFileBoundedSync} from '../../src/host/config/read-bounded.js';
import {defaultConfig} from '../helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-bounds-'));
const world = defaultConfig();

/** Loads a scenario against the default world: 'ok', or the error without the file name. */
function loadScenario(text: string): string {
  const file = join(dir, 's.yaml');
  writeFileSync(file, text);
  const result = loadScenarioFile(file, world);
  return result.ok ? 'ok' : result.error.replace(`${file}: `, '');
}

describe('scenario run times', () => {
  it.each([['0'], ['0s'], ['0ms'], ['1e-9'], ['1us']])('refuses interval: %s', (interval) => {
    expect(loadScenario(`interval: ${interval}\n`)).toMatch(
      /^interval: expected at least 10ms between snapshots, got \d+us$/,
    );
  });

  it('accepts the shortest interval', () => {
    expect(loadScenario('interval: 10ms\n')).toBe('ok');
  });

  it('refuses a duration given as a number too large for the clock', () => {
    expect(loadScenario('duration: 1e300\n')).toBe(
      'duration: expected a duration like "30s" or "500ms", got 1e+300',
    );
  });

  it('refuses a duration past a million hours, and a zero duration as --duration does', () => {
    expect(loadScenario('duration: 2000000h\n')).toBe(
      'duration: expected at most 1000000h (a million simulated hours), got 2000000h00m',
    );
    expect(loadScenario('duration: 0\n')).toBe('duration: expected a duration above zero, got 0us');
  });
});

describe('bounded reads', () => {
  it('refuses /dev/zero as a world or a scenario after reading just over 4 MiB', () => {
    expect(loadWorldFile('/dev/zero')).toEqual({
      ok: false,
      error: '/dev/zero: file is over the limit of 4194304 bytes',
    });
    expect(loadScenarioFile('/dev/zero', world)).toEqual({
      ok: false,
      error: '/dev/zero: file is over the limit of 4194304 bytes',
    });
  });

  it('refuses a large regular file by its size, without reading it', () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, '');
    truncateSync(file, CONFIG_FILE_MAX_BYTES + 1);
    expect(loadWorldFile(file)).toEqual({
      ok: false,
      error: `${file}: file is 4194305 bytes, over the limit of 4194304 bytes`,
    });
  });

  it('reads a FIFO up to the cap, as `--config <(generate-world)` gives', async () => {
    const fifo = join(dir, 'world.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat '${DEFAULT_WORLD_FILE}' > '${fifo}'`]);
    const writerExited = new Promise((resolve) => writer.on('exit', resolve));
    const loaded = await readFileBounded(fifo, CONFIG_FILE_MAX_BYTES);
    expect(loaded.ok && loaded.bytes.toString()).toBe(readFileSync(DEFAULT_WORLD_FILE, 'utf8'));
    await writerExited;
  });

  it('says what is wrong with a directory or a missing file', async () => {
    expect(readFileBoundedSync(dir, 10)).toMatchObject({
      ok: false,
      error: 'cannot read file (is a directory)',
    });
    expect(await readFileBounded(join(dir, 'none'), 10)).toEqual({
      reason: 'missing',
      ok: false,
      error: 'cannot read file (no such file)',
    });
  });

  it('the asynchronous read cuts /dev/zero off too', async () => {
    expect(await readFileBounded('/dev/zero', 1000)).toEqual({
      ok: false,
      reason: 'too-large',
      error: 'file is over the limit of 1000 bytes',
    });
  });
});
