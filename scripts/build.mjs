/**
 * `npm run build` (run once by `npm install`'s prepare step): tsc type-checks and emits dist/
 * (what the tests and `bin` run), then esbuild bundles the same program into dist/bundle/, which
 * `npm start` runs: one file to load instead of some 900 modules to resolve starts in half the
 * time (#17). The dashboard is a chunk of its own, so `--help` and `--headless` never load Ink.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import process from 'node:process';
import {fileURLToPath, URL} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Written after a successful build: tsc leaves outputs whose text did not change untouched. */
export const BUILT_STAMP = `${root}dist/.built`;

/** How svmtop is bundled; the benchmarks bundle their programs the same way. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: {'.js': '.mjs'},
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
  // Without comments (which esbuild keeps verbatim, non-ASCII ones too) the bundle is ASCII: V8
  // holds each module's source for its lifetime, one byte a character only when every character
  // is Latin-1 (two otherwise), so this halves 7 MiB of heap and a quarter of the text to parse.
  minifyWhitespace: true,
  // Ink loads React's devtools only with DEV=true and the package installed; neither is ours.
  external: ['react-devtools-core', './devtools.js'],
  // CommonJS packages (React among them) call require() inside the ES module bundle.
  banner: {
    js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

/**
 * Two edits to dependencies' code in svmtop's bundle, for start-up (#17), each checked to match
 * exactly as often as expected so that an upgrade which moves the code fails the build loudly.
 * svmtop's bundle only: the benchmarks' reference programs keep Ink as any Ink app gets it.
 */
export const STARTUP_EDITS = [
  {
    // Yoga (Ink's layout engine) fetches its WebAssembly from a data: URL whenever a global fetch
    // exists, and Node's first fetch loads undici with http, tls, http2 and worker_threads (40-60
    // ms). Without fetch it decodes the same base64 with atob.
    file: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    from: '"function"!=typeof fetch',
    to: '!0',
    count: 2,
  },
  {
    // meow builds normalize-package-data (and spdx-correct's tables, 20-40 ms) when it is loaded,
    // for a normalization it does only when asked for the package (cli.pkg, which svmtop never asks).
    file: /meow[\\/]build[\\/]dependencies\.js$/,
    from: 'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
    to: 'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
    count: 1,
  },
];

export const startupEdits = {
  name: 'startup-edits',
  setup(build) {
    for (const {file, from, to, count} of STARTUP_EDITS)
      build.onLoad({filter: file}, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const found = text.split(from).length - 1;
        if (found !== count)
          return {
            errors: [
              {text: `expected ${JSON.stringify(from)} ${count} times in ${args.path}, found ${found}`},
            ],
          };
        return {contents: text.replaceAll(from, to), loader: 'js'};
      });
  },
};

/** JSON in ASCII only (see BUNDLE_OPTIONS' note): what is past ASCII written as \u escapes. */
const asciiJson = (value) =>
  JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

export async function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const typecheck = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (typecheck.status !== 0) return false;
  const esbuild = await import('esbuild');
  rmSync(`${root}dist/bundle`, {recursive: true, force: true}); // chunks' names change with their content
  await esbuild.build({
    ...BUNDLE_OPTIONS,
    plugins: [startupEdits],
    entryPoints: [`${root}src/cli.tsx`],
    outdir: `${root}dist/bundle`,
  });
  // The default world as loaded now, beside each build's src/app/default-world.ts (it says why).
  const {defaultWorldCache, DEFAULT_WORLD_CACHE} = await import(`${root}dist/app/default-world.js`);
  const cache = defaultWorldCache();
  if (typeof cache === 'string') {
    process.stderr.write(`svmtop build: cannot cache the default world: ${cache}\n`);
    return false;
  }
  for (const dir of ['dist/app', 'dist/bundle'])
    writeFileSync(`${root}${dir}/${DEFAULT_WORLD_CACHE}`, asciiJson(cache));
  writeFileSync(BUILT_STAMP, '');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit((await build()) ? 0 : 1);
