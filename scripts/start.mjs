/**
 * `npm start`: runs the bundle `npm install` built (scripts/build.mjs), rebuilding first only
 * when one of its inputs is newer than the last successful build: a source, a patch to a dependency,
 * the build's scripts, a tsconfig, an installed package, or the default world (the build caches it:
 * src/app/default-world.ts).
 * Running tsc on every start took 5 s to the first frame (#17).
 */
import {readdirSync, statSync} from 'node:fs';
import module from 'node:module';
import process from 'node:process';
import {fileURLToPath, URL} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Directories whose every file is an input, and single files. */
const BUILD_INPUT_DIRS = ['src', 'patches'];
const BUILD_INPUTS = [
  'scripts/build.mjs',
  'scripts/startup-edits.mjs',
  'config/default.yaml',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'node_modules/.package-lock.json',
];

const mtimeMs = (path) => statSync(path, {throwIfNoEntry: false})?.mtimeMs;

export function isBuildStale(rootDir = root) {
  const builtMs = mtimeMs(`${rootDir}/dist/.built`) ?? -1;
  const inputs = BUILD_INPUT_DIRS.flatMap((dir) =>
    (statSync(`${rootDir}/${dir}`, {throwIfNoEntry: false})?.isDirectory()
      ? readdirSync(`${rootDir}/${dir}`, {recursive: true, withFileTypes: true})
      : []
    )
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath}/${entry.name}`),
  );
  inputs.push(...BUILD_INPUTS.map((input) => `${rootDir}/${input}`));
  return inputs.some((path) => (mtimeMs(path) ?? -1) > builtMs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (isBuildStale()) {
    process.stderr.write('svmtop: sources changed since the last build; rebuilding\n');
    const {build} = await import('./build.mjs');
    if (!(await build())) process.exit(1);
  }
  // Node 22.1+ keeps the bundle's compiled code between runs (about 10% of start-up's CPU); Node 20 has no such cache.
  module.enableCompileCache?.();
  await import('../dist/bundle/cli.mjs');
}
