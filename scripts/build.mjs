/**
 * `npm run build` (run once by `npm install`'s prepare step): tsc type-checks and emits dist/
 * (what the tests and `bin` run), then esbuild bundles the same program into dist/bundle/, which
 * `npm start` runs: one file to load instead of some 900 modules to resolve starts in half the
 * time (#17). The dashboard is a chunk of its own, so `--headless` never loads Ink, and all but
 * the command line's parser is another, so `--help` and `--version` load meow alone. The bundle
 * gets startup-edits.mjs's edits to Yoga and React (patches/ has the others, for both builds);
 * both builds get the default world's cache (and its guests' images), written last and only by a build that got that far.
 */
import {spawnSync} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import process from 'node:process';
import {fileURLToPath, URL} from 'node:url';
import {startupEdits} from './startup-edits.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Written after a successful build: tsc leaves outputs whose text did not change untouched. */
export const BUILT_STAMP = `${root}dist/.built`;
/** src/app/default-world.ts's DEFAULT_WORLD_CACHE and DEFAULT_IMAGES_CACHE (this script runs before any build). */
const DEFAULT_WORLD_CACHE = 'default-world.json';
const DEFAULT_IMAGES_CACHE = 'default-images.bin';

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

/** JSON in ASCII only (see BUNDLE_OPTIONS' note): what is past ASCII written as \u escapes. */
const asciiJson = (value) =>
  JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

export async function build() {
  // A cache left by an earlier build must not outlive this one if it fails.
  for (const dir of ['dist/app', 'dist/bundle'])
    for (const file of [DEFAULT_WORLD_CACHE, DEFAULT_IMAGES_CACHE])
      rmSync(`${root}${dir}/${file}`, {force: true});
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
  if (!(await writeDefaultWorldCache())) return false;
  writeFileSync(BUILT_STAMP, '');
  return true;
}

/**
 * Writes the default world's cache (src/app/default-world.ts says why) beside the builds under
 * dist/, false when the world loads but cannot be cached. A world that does not load gets no
 * cache and fails no build: svmtop reports it at start (exit 2) as it reports any world file.
 */
async function writeDefaultWorldCache() {
  const {defaultImagesBytes, defaultWorldCache} = await import(`${root}dist/app/default-world.js`);
  const made = defaultWorldCache();
  if ('error' in made) {
    process.stderr.write(`svmtop build: cannot cache the default world: ${made.error}\n`);
    return false;
  }
  if ('notLoaded' in made)
    process.stderr.write(`svmtop build: the default world does not load, so no cache: ${made.notLoaded}\n`);
  else
    for (const dir of ['dist/app', 'dist/bundle']) {
      writeFileSync(`${root}${dir}/${DEFAULT_IMAGES_CACHE}`, defaultImagesBytes(made.cache));
      writeFileSync(`${root}${dir}/${DEFAULT_WORLD_CACHE}`, asciiJson(made.cache));
    }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit((await build()) ? 0 : 1);
