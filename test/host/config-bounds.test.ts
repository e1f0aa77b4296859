import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../../src/host/config/load-world.js';
import {CONFIG_FILE_MAX_BYTES} from '../../src/host/config/load-yaml.js';
import {readFileBounded, readFileBoundedSync} from '../../src/host/config/read-bounded.js';
import {readPath} from '../../src/host/expectations.js';
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
  it.each([
    ['0', '0'],
    ['0s', '"0s"'],
    ['0ms', '"0ms"'],
    ['1e-9', '1e-9'],
    ['1us', '"1us"'],
  ])('refuses interval: %s, quoting it as written', (interval, shown) => {
    expect(loadScenario(`interval: ${interval}\n`)).toBe(
      `interval: expected at least 10 ms between snapshots, got ${shown}`,
    );
  });

  it('accepts the shortest interval', () => {
    expect(loadScenario('interval: 10ms\n')).toBe('ok');
  });

  it('refuses a duration given as a number too large for the clock', () => {
    expect(loadScenario('duration: 1e300\n')).toBe(
      'duration: expected a duration like "30s" or "500ms", got 1e300',
    );
  });

  it('refuses a duration past a million hours, and a zero duration as --duration does', () => {
    expect(loadScenario('duration: 2000000h\n')).toBe(
      'duration: expected at most 1000000h (a million simulated hours), got "2000000h"',
    );
    expect(loadScenario('duration: 0\n')).toBe('duration: expected a duration above zero, got 0');
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

describe('scenario entries that were accepted silently', () => {
  it.each([['devices['], ['devices[blk'], ['security..state'], ['.state'], ['devices[]'], ['a b']])(
    'refuses the malformed path %j',
    (path) => {
      expect(loadScenario(`expect:\n  - {vm: web-1, path: ${JSON.stringify(path)}, equals: 1}\n`)).toBe(
        `expect[0].path: expected a path like security.state or devices[blk].faults, got ${JSON.stringify(path)}`,
      );
    },
  );

  it.each([['constructor.name'], ['__proto__'], ['devices[0].constructor']])(
    'refuses a path through what every object inherits: %s',
    (path) => {
      expect(loadScenario(`expect:\n  - {vm: web-1, path: "${path}", equals: Object}\n`)).toMatch(
        /^expect\[0\]\.path: "(constructor|__proto__)" is not a snapshot field/,
      );
    },
  );

  it('accepts every path form the shipped scenarios use', () => {
    const paths = ['devices[blk].faults', 'migration.blockedReasons[0]', 'security.state', 'host'];
    const text = paths.map((path) => `  - {vm: web-1, path: "${path}", equals: 1}`).join('\n');
    expect(loadScenario(`expect:\n${text}\n`)).toBe('ok');
  });

  it('refuses a link fault naming the same host twice', () => {
    expect(loadScenario('steps:\n  - {at: 1s, do: fault, kind: link-down, hosts: [alpha, alpha]}\n')).toBe(
      'steps[0].hosts: a link joins two different hosts',
    );
  });

  it('refuses maxBandwidth: 0, which would never move a byte, and says what QEMU means by it', () => {
    expect(loadScenario('steps:\n  - {at: 1s, do: migrate, vm: web-1, to: beta, maxBandwidth: 0}\n')).toBe(
      'steps[0].maxBandwidth: expected a rate above 0 (QEMU reads 0 as "no limit"; leave it out for its 128MiB/s default), got 0',
    );
  });
});

describe('expectation paths', () => {
  it('read only the snapshot’s own fields', () => {
    const vm = {security: {state: 'secure'}, devices: [{type: 'blk', faults: 2}]};
    expect(readPath(vm, 'security.state')).toBe('secure');
    expect(readPath(vm, 'devices[blk].faults')).toBe(2);
    expect(readPath(vm, 'devices[0].type')).toBe('blk');
    expect(readPath(vm, 'constructor.name')).toBeUndefined();
    expect(readPath(vm, 'security.toString')).toBeUndefined();
  });
});
