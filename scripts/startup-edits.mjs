/**
 * The one edit to a dependency made in svmtop's bundle alone (scripts/build.mjs), for start-up
 * (#17). The others (conf, meow, zod, Ink's error screen) are patches/ applied by patch-package at
 * install; Yoga's cannot be, because node_modules/yoga-layout is shared with the benchmarks' stock
 * Ink reference (`ink-stock`), which must keep its dependencies as installed. The text must match
 * exactly as often as listed, and the file must be loaded at all, so that an upgrade which moves or
 * renames the code fails the build instead of silently losing the edit.
 */
import {readFileSync} from 'node:fs';

/** Per file: [text, its replacement, how many times the text must be found]. */
export const STARTUP_EDITS = [
  {
    // Yoga (Ink's layout engine) fetches its WebAssembly from a data: URL whenever a global fetch
    // exists, and Node's first fetch loads undici with http, tls, http2 and worker_threads (40-60
    // ms). Without fetch it decodes the same base64 with atob.
    // emscripten-core/emscripten src/preamble.js getBinaryPromise, instantiateAsync (fetch when typeof fetch == 'function')
    name: 'yoga-layout dist/binaries/yoga-wasm-base64-esm.js',
    file: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    replacements: [['"function"!=typeof fetch', '!0', 2]],
  },
];

/** `text` with each [from, to, count] made, or why not: `from` found other than `count` times. */
export function applyEdits(text, replacements, path) {
  for (const [from, to, count] of replacements) {
    const found = text.split(from).length - 1;
    if (found !== count)
      return {error: `expected ${JSON.stringify(from)} ${count} times in ${path}, found ${found}`};
    text = text.replaceAll(from, () => to); // a function, so that a `$` in `to` is taken as written
  }
  return {text};
}

/** The esbuild plugin that makes the edits; the build fails when an edited file was never loaded. */
export const startupEdits = {
  name: 'startup-edits',
  setup(build) {
    const loaded = new Set();
    for (const {name, file, replacements} of STARTUP_EDITS)
      build.onLoad({filter: file}, (args) => {
        loaded.add(name);
        const edited = applyEdits(readFileSync(args.path, 'utf8'), replacements, args.path);
        return 'error' in edited ? {errors: [{text: edited.error}]} : {contents: edited.text, loader: 'js'};
      });
    build.onEnd(() => ({
      errors: STARTUP_EDITS.filter(({name}) => !loaded.has(name)).map(({name}) => ({
        text: `${name} was never loaded, so its edit was not made (renamed by an upgrade?)`,
      })),
    }));
  },
};
