/**
 * `npm run build` (run once by `npm install`'s prepare step): tsc type-checks and emits dist/
 * (what the tests and `bin` run), then esbuild bundles the same program into dist/bundle/, which
 * `npm start` runs: one file to load instead of some 900 modules to resolve starts in half the
 * time (#17). The dashboard is a chunk of its own, so `--headless` never loads Ink, and all but
 * the command line's parser is another, so `--help` and `--version` load meow alone. The bundle
 * gets startup-edits.mjs's edits to dependencies; both builds get the default world's cache.
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
