/**
 * The edits to dependencies made in svmtop's bundle alone (scripts/build.mjs), for start-up (#17).
 * The others (conf, meow, zod, Ink's error screen) are patches/ applied by patch-package at
 * install; these cannot be, because node_modules/yoga-layout, react, react-reconciler and scheduler
 * are shared with the benchmarks' stock Ink reference (`ink-stock`) and with the tests (tsc's
 * dist/), which must keep their dependencies as installed. The text must match exactly as often as
 * listed, and the file must be loaded at all, so that an upgrade which moves or renames the code
 * fails the build instead of silently losing the edit.
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
    replacements: [
      ['"function"!=typeof fetch', '!0', 2],
      // ... and decodes it with Buffer rather than atob and a loop over its characters: the same
      // 71 KiB, about 1 ms instead of 12-19 ms on Node 20 (whose atob is written in JavaScript).
      [
        'var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c',
        'var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))',
        1,
      ],
    ],
  },
  // React's development builds (589 KB of the dashboard's 1.48 MB chunk) were parsed at every start
  // and run only when the user set NODE_ENV: the dashboard sets NODE_ENV=production when it is unset
  // (src/app/run-command.ts). The bundle keeps the production builds alone, whatever NODE_ENV says;
  // tsc's dist/ keeps both and follows NODE_ENV.
  ...[
    ['react/index.js', /[\\/]node_modules[\\/]react[\\/]index\.js$/],
    ['react/jsx-runtime.js', /[\\/]node_modules[\\/]react[\\/]jsx-runtime\.js$/],
    ['react-reconciler/index.js', /[\\/]node_modules[\\/]react-reconciler[\\/]index\.js$/],
    ['react-reconciler/constants.js', /[\\/]node_modules[\\/]react-reconciler[\\/]constants\.js$/],
    ['scheduler/index.js', /[\\/]node_modules[\\/]scheduler[\\/]index\.js$/],
  ].map(([name, file]) => ({
    name,
    file,
    replacements: [["process.env.NODE_ENV === 'production'", 'true', 1]],
  })),
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
