import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {isDeepStrictEqual} from 'node:util';
import {CONFIG_FILE_MAX_BYTES, type LoadResult} from '../host/config/load-yaml.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../host/config/load-world.js';
import {readFileBoundedSync} from '../host/config/read-bounded.js';
import type {WorldConfig} from '../host/config/world-schema.js';
import {guestImageBytes, rememberGuestImages, type ImageSeed} from '../host/ticket.js';

/**
 * The default world as the build loaded it (scripts/build.mjs writes it beside this module, in
 * dist/app/ and dist/bundle/): parsing its YAML and checking it cost 50–130 ms of every start
 * (#17), for a file that changes only when svmtop does.
 */
export const DEFAULT_WORLD_CACHE = 'default-world.json';

/** Beside it, the bytes of its `images`, concatenated (generating them cost ~30 ms of every start, #17). */
export const DEFAULT_IMAGES_CACHE = 'default-images.bin';

/** What the cache file holds: the file's text, what loadWorldFile made of it, and its guests' distinct images. */
export interface DefaultWorldCache {
  readonly text: string;
  readonly world: WorldConfig;
  readonly images?: readonly ImageSeed[];
}

/**
 * loadWorldFile, answered from the build's cache when `file` is the default world and its text is
 * still the text the build loaded: the same text always loads to the same world, errors included,
 * and any other text (an edited default, another file, no cache) is loaded as ever.
 */
export function loadWorld(file: string, cacheUrl = new URL(DEFAULT_WORLD_CACHE, import.meta.url)) {
  if (file === DEFAULT_WORLD_FILE) {
    const cached = readCache(cacheUrl);
    const read = cached && readFileBoundedSync(file, CONFIG_FILE_MAX_BYTES);
    if (read?.ok && read.bytes.toString('utf8') === cached!.text) {
      rememberCachedImages(cached!, new URL(DEFAULT_IMAGES_CACHE, cacheUrl));
      return {ok: true, value: cached!.world} as const;
    }
  }
  return loadWorldFile(file);
}

/** The build's images of the default world, for guestImageBytes; none when missing or of another length. */
function rememberCachedImages(cached: DefaultWorldCache, url: URL): void {
  if (!cached.images) return;
  try {
    rememberGuestImages(cached.images, readFileSync(fileURLToPath(url)));
  } catch {
    // no images beside the cache: guestImageBytes makes them
  }
}

/** The bytes DEFAULT_IMAGES_CACHE holds for `cache`. */
export function defaultImagesBytes(cache: DefaultWorldCache): Buffer {
  return Buffer.concat((cache.images ?? []).map((image) => guestImageBytes(image)));
}

function readCache(url: URL): DefaultWorldCache | undefined {
  try {
    const cached = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Partial<DefaultWorldCache> | null;
    return typeof cached?.text === 'string' ? (cached as DefaultWorldCache) : undefined;
  } catch {
    return undefined; // no build beside this module (tests on the sources), or a broken one: load the file
  }
}

/**
 * The cache for the default world as loaded now; or notLoaded, why the world does not load (no
 * cache then: svmtop reports it at start as for any file); or error, why a world that loads cannot
 * be cached: it must come back from JSON exactly as it was (plain objects, no shared parts, no
 * undefined keys).
 */
export function defaultWorldCache(
  file = DEFAULT_WORLD_FILE,
): {cache: DefaultWorldCache} | {notLoaded: string} | {error: string} {
  const loaded: LoadResult<WorldConfig> = loadWorldFile(file);
  if (!loaded.ok) return {notLoaded: loaded.error};
  const cache = {text: readFileSync(file, 'utf8'), world: loaded.value, images: distinctImages(loaded.value)};
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(cache)), cache))
    return {error: 'the default world does not survive JSON unchanged'};
  if (hasSharedObjects(loaded.value))
    return {error: 'the default world shares objects, which JSON would copy apart'};
  return {cache};
}

function distinctImages(world: WorldConfig): ImageSeed[] {
  const seeds = world.guests.map(({image: {kernel, initrd, size}}) => ({kernel, initrd, size}));
  return [...new Map(seeds.map((seed) => [JSON.stringify(seed), seed])).values()];
}

function hasSharedObjects(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return true;
  seen.add(value);
  return Object.values(value).some((part) => hasSharedObjects(part, seen));
}
