import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {defaultWorldCache, DEFAULT_WORLD_CACHE, loadWorld} from '../../src/app/default-world.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../../src/host/config/load-world.js';
import {ROOT} from '../helpers/cli.js';

const cacheFile = (contents: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'svmtop-world-cache-')), DEFAULT_WORLD_CACHE);
  writeFileSync(file, contents);
  return pathToFileURL(file);
};
const defaultText = readFileSync(DEFAULT_WORLD_FILE, 'utf8');
/** A cached world no file loads to, so that a test sees whether the cache answered. */
const marked = {...(loadWorldFile(DEFAULT_WORLD_FILE) as {value: object}).value, marker: true};

describe('the default world cache', () => {
  it('answers for the default world while its text is the cached text', () => {
    const url = cacheFile(JSON.stringify({text: defaultText, world: marked}));
    expect(loadWorld(DEFAULT_WORLD_FILE, url)).toEqual({ok: true, value: marked});
  });

  it('loads the file as ever when its text changed, for another file, or without a cache', () => {
    const stale = cacheFile(JSON.stringify({text: `${defaultText}\n# edited`, world: marked}));
    expect(loadWorld(DEFAULT_WORLD_FILE, stale)).toEqual(loadWorldFile(DEFAULT_WORLD_FILE));
    const other = join(mkdtempSync(join(tmpdir(), 'svmtop-world-')), 'world.yaml');
    writeFileSync(other, defaultText);
    const fresh = cacheFile(JSON.stringify({text: defaultText, world: marked}));
    expect(loadWorld(other, fresh)).toEqual(loadWorldFile(other));
    expect(loadWorld(DEFAULT_WORLD_FILE, cacheFile('not json'))).toEqual(loadWorldFile(DEFAULT_WORLD_FILE));
    const missing = new URL('absent.json', cacheFile('{}'));
    expect(loadWorld(DEFAULT_WORLD_FILE, missing)).toEqual(loadWorldFile(DEFAULT_WORLD_FILE));
  });

  it('is none for a world that does not load (svmtop reports it at start), not an error', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'svmtop-world-')), 'world.yaml');
    writeFileSync(broken, 'hosts: [unclosed\n');
    const loaded = loadWorldFile(broken);
    expect(loaded.ok).toBe(false);
    expect(defaultWorldCache(broken)).toEqual({notLoaded: (loaded as {error: string}).error});
  });

  it('holds what loadWorldFile makes of the default world, and the build wrote it beside both builds', () => {
    const {cache} = defaultWorldCache() as {cache: object};
    expect(cache).toEqual({
      text: defaultText,
      world: (loadWorldFile(DEFAULT_WORLD_FILE) as {value: object}).value,
    });
    for (const dir of ['dist/app', 'dist/bundle'])
      expect(JSON.parse(readFileSync(join(ROOT, dir, DEFAULT_WORLD_CACHE), 'utf8'))).toEqual(cache);
  });
});
