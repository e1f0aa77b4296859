import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {isDeepStrictEqual} from 'node:util';
import {describe, expect, it} from 'vitest';
import {
  defaultImagesBytes,
  DEFAULT_IMAGES_CACHE,
  defaultWorldCache,
  DEFAULT_WORLD_CACHE,
  loadWorld,
  type DefaultWorldCache,
} from '../../src/app/default-world.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../../src/host/config/load-world.js';
import type {WorldConfig} from '../../src/host/config/world-schema.js';
import {guestImageBytes} from '../../src/host/ticket.js';
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
    const {cache} = defaultWorldCache() as {cache: DefaultWorldCache};
    const world = (loadWorldFile(DEFAULT_WORLD_FILE) as {value: WorldConfig}).value;
    const seeds = world.guests.map(({image: {kernel, initrd, size}}) => ({kernel, initrd, size}));
    const images = seeds.filter((seed, i) => seeds.findIndex((s) => isDeepStrictEqual(s, seed)) === i);
    expect(images.length).toBeGreaterThan(1);
    expect(cache).toEqual({text: defaultText, world, images});
    // Made here, not remembered: the bytes guestImageBytes generates.
    const bytes = Buffer.concat(images.map((image) => guestImageBytes(image)));
    for (const dir of ['dist/app', 'dist/bundle']) {
      expect(JSON.parse(readFileSync(join(ROOT, dir, DEFAULT_WORLD_CACHE), 'utf8'))).toEqual(cache);
      expect(readFileSync(join(ROOT, dir, DEFAULT_IMAGES_CACHE)).equals(bytes)).toBe(true);
    }
    expect(defaultImagesBytes(cache).equals(bytes)).toBe(true);
  });

  it('gives guestImageBytes the cached images when it answers, and none of another length', () => {
    const image = {kernel: 'cached-kernel', initrd: 'cached-initrd', size: 4096};
    const made = Buffer.from(guestImageBytes(image));
    const other = {...image, kernel: 'short-kernel'};
    const url = cacheFile(JSON.stringify({text: defaultText, world: marked, images: [image]}));
    writeFileSync(new URL(DEFAULT_IMAGES_CACHE, url), Buffer.alloc(4096, 0xab));
    const short = cacheFile(JSON.stringify({text: defaultText, world: marked, images: [other]}));
    writeFileSync(new URL(DEFAULT_IMAGES_CACHE, short), Buffer.alloc(4095, 0xab));
    expect(loadWorld(DEFAULT_WORLD_FILE, url)).toEqual({ok: true, value: marked});
    expect(loadWorld(DEFAULT_WORLD_FILE, short)).toEqual({ok: true, value: marked});
    // 0xab bytes: the cache answered (the build writes guestImageBytes's own bytes there).
    expect(guestImageBytes(image).equals(Buffer.alloc(4096, 0xab))).toBe(true);
    expect(made.equals(Buffer.alloc(4096, 0xab))).toBe(false);
    expect(guestImageBytes(other).length).toBe(4096);
    expect(guestImageBytes(other).equals(guestImageBytes({...other}))).toBe(true);
    expect(guestImageBytes(other).every((byte) => byte === 0xab)).toBe(false);
  });
});
