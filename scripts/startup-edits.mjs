/**
 * Edits to dependencies' code in svmtop's bundle (scripts/build.mjs), for start-up (#17): each
 * drops work done at load or at start that svmtop's first frame does not need, without changing
 * what the code does when it runs. Every replacement must match exactly as often as listed, so
 * that an upgrade which moves the code fails the build instead of silently losing the edit.
 * svmtop's bundle only: the benchmarks' reference programs keep their dependencies as installed.
 */
import {readFileSync} from 'node:fs';

/** Per file: [text, its replacement, how many times the text must be found]. */
export const STARTUP_EDITS = [
  {
    // Yoga (Ink's layout engine) fetches its WebAssembly from a data: URL whenever a global fetch
    // exists, and Node's first fetch loads undici with http, tls, http2 and worker_threads (40-60
    // ms). Without fetch it decodes the same base64 with atob.
    file: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    replacements: [['"function"!=typeof fetch', '!0', 2]],
  },
  {
    // meow builds normalize-package-data (and spdx-correct's tables, 20-40 ms) when it is loaded,
    // for a normalization it does only when asked for the package (cli.pkg, which svmtop never asks).
    file: /meow[\\/]build[\\/]dependencies\.js$/,
    replacements: [
      [
        'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
        'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
        1,
      ],
    ],
  },
  {
    // conf loads Ajv (with its formats) and semver when it is loaded; it uses Ajv only for a
    // schema and semver only for migrations, neither of which svmtop gives it. Required on use.
    file: /conf[\\/]dist[\\/]source[\\/]index\.js$/,
    replacements: [
      ["import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';\n", '', 1],
      ["import ajvFormatsModule from 'ajv-formats';\n", '', 1],
      ["import semver from 'semver';\n", '', 1],
      ['ajvFormatsModule.default', "require('ajv-formats').default", 1],
      ['new Ajv(', "new (require('ajv/dist/2020.js').Ajv2020)(", 1],
      ['semver.', "require('semver').", 6],
    ],
  },
  {
    // Ink's error screen builds a stack parser when it is loaded (stack-utils compiles a pattern per
    // Node built-in module, twice); only an error shown by Ink needs it. Built on first use.
    file: /ink[\\/]build[\\/]components[\\/]ErrorOverview\.js$/,
    replacements: [
      ["import StackUtils from 'stack-utils';\n", '', 1],
      [
        'const stackUtils = new StackUtils({\n    cwd: cwd(),\n    internals: StackUtils.nodeInternals(),\n});',
        "let stackUtilsOnce;\nconst stackUtils = {parseLine: (line) => (stackUtilsOnce ??= new (require('stack-utils'))({cwd: cwd(), internals: require('stack-utils').nodeInternals()})).parseLine(line)};",
        1,
      ],
    ],
  },
  {
    // zod's namespaces (z.locales, z.core.locales) carry every locale's messages, some 300 KB of
    // the bundle parsed at every start; svmtop speaks English, which zod registers from
    // locales/en.js itself. Both namespaces keep en only.
    file: /zod[\\/]v4[\\/](?:classic[\\/]external|core[\\/]index)\.js$/,
    replacements: [
      [
        'export * as locales from "../locales/index.js";',
        'import __localeEn from "../locales/en.js";\nexport const locales = {en: __localeEn};',
        1,
      ],
    ],
  },
];

/** The esbuild plugin that makes the edits. */
export const startupEdits = {
  name: 'startup-edits',
  setup(build) {
    for (const {file, replacements} of STARTUP_EDITS)
      build.onLoad({filter: file}, (args) => {
        let text = readFileSync(args.path, 'utf8');
        for (const [from, to, count] of replacements) {
          const found = text.split(from).length - 1;
          if (found !== count)
            return {
              errors: [
                {text: `expected ${JSON.stringify(from)} ${count} times in ${args.path}, found ${found}`},
              ],
            };
          text = text.replaceAll(from, to);
        }
        return {contents: text, loader: 'js'};
      });
  },
};
