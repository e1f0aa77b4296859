/**
 * Bundles the benchmarks as svmtop itself is bundled (scripts/build.mjs): dist-bench/patched/ on
 * the Ink that `npm install` patched, dist-bench/stock/ on the same Ink version unpatched (the
 * `ink-stock` alias), so each Ink is measured in a process of its own.
 */
import {rmSync} from 'node:fs';
import process from 'node:process';
import {fileURLToPath, URL} from 'node:url';
import {BUNDLE_OPTIONS} from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const esbuild = await import('esbuild');
const common = {
  ...BUNDLE_OPTIONS,
  entryPoints: [`${root}bench/run.ts`, `${root}bench/naive-ink-loop.tsx`],
  // A native addon and a terminal emulator used only to watch the programs under test.
  external: [...BUNDLE_OPTIONS.external, '@lydell/node-pty', '@xterm/headless'],
};
rmSync(`${root}dist-bench`, {recursive: true, force: true});
await esbuild.build({...common, outdir: `${root}dist-bench/patched`});
await esbuild.build({...common, outdir: `${root}dist-bench/stock`, alias: {ink: 'ink-stock'}});
process.exit(0);
