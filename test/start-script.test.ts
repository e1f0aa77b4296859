import {spawnSync} from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI, ROOT} from './helpers/cli.js';
// @ts-expect-error -- a plain ES module script without types (scripts/ runs before any build)
import {isBuildStale} from '../scripts/start.mjs';
// @ts-expect-error -- as above
import {applyEdits as untypedApplyEdits, startupEdits} from '../scripts/startup-edits.mjs';

const applyEdits = untypedApplyEdits as (
  text: string,
  replacements: [string, string, number][],
  path: string,
) => {text: string} | {error: string};
const BUNDLE = join(ROOT, 'dist', 'bundle', 'cli.mjs');
const run = (program: string, args: string[]) =>
  spawnSync(process.execPath, [program, ...args], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});

describe('npm start (scripts/start.mjs)', () => {
  it('rebuilds only when a source, a tsconfig or an installed package is newer than the last build', () => {
    const root = mkdtempSync(join(tmpdir(), 'svmtop-start-'));
    const at = (path: string, seconds: number) => {
      mkdirSync(join(root, path, '..'), {recursive: true});
      writeFileSync(join(root, path), '');
      utimesSync(join(root, path), seconds, seconds);
    };
    at('src/app/x.ts', 100);
    at('tsconfig.json', 100);
    const stale = () => (isBuildStale as (root: string) => boolean)(root);
    expect(stale()).toBe(true); // never built
    at('dist/.built', 200);
    expect(stale()).toBe(false);
    at('src/views/y.tsx', 300);
    expect(stale()).toBe(true);
    at('dist/.built', 400);
    expect(stale()).toBe(false);
    at('node_modules/.package-lock.json', 500);
    expect(stale()).toBe(true);
    // the build's own inputs: its scripts, the patches to dependencies, the default world it caches
    let seconds = 600;
    for (const input of [
      'scripts/build.mjs',
      'scripts/startup-edits.mjs',
      'patches/zod+4.6.7.patch',
      'config/default.yaml',
    ]) {
      at('dist/.built', seconds++);
      expect({input, stale: stale()}).toEqual({input, stale: false});
      at(input, seconds++);
      expect({input, stale: stale()}).toEqual({input, stale: true});
    }
  });

  it('runs a bundle that prints what dist/cli.js prints (help, version, headless JSON lines)', () => {
    for (const args of [['--help'], ['--version'], ['--headless', '--duration', '5s', '--seed', '3']]) {
      const bundled = run(BUNDLE, args);
      expect(bundled.status).toBe(0);
      expect(bundled.stdout).toBe(run(CLI, args).stdout);
    }
  });

  it("reports a bad --config as dist/cli.js does (zod's English messages, exit 2)", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'svmtop-bad-config-')), 'world.yaml');
    writeFileSync(file, 'hosts:\n  - name: 7\n    cpus: many\n');
    const args = ['--headless', '--duration', '1s', '--config', file];
    const [bundled, built] = [run(BUNDLE, args), run(CLI, args)];
    expect(built.status).toBe(2);
    expect(built.stderr).toMatch(/expected/);
    expect({status: bundled.status, stderr: bundled.stderr, stdout: bundled.stdout}).toEqual({
      status: built.status,
      stderr: built.stderr,
      stdout: built.stdout,
    });
  });

  it('bundles ASCII only, so V8 holds every module source one byte a character', () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    // Text only: default-images.bin is the default world's guest images (src/app/default-world.ts).
    const files = readdirSync(bundleDir).filter((file) => !file.endsWith('.bin'));
    expect(files).toContain('cli.mjs');
    for (const file of files) {
      const text = readFileSync(join(bundleDir, file), 'utf8');
      expect({file, nonAscii: [...text].find((character) => character.charCodeAt(0) > 0x7f)}).toEqual({
        file,
        nonAscii: undefined,
      });
    }
  });
});

describe('the bundle loads lazily (#17)', () => {
  it('answers --help without the rest, and a part that fails to load is an error, exit 1', () => {
    const root = mkdtempSync(join(tmpdir(), 'svmtop-bundle-'));
    const copy = join(root, 'dist', 'bundle');
    cpSync(join(ROOT, 'dist', 'bundle'), copy, {recursive: true});
    cpSync(join(ROOT, 'package.json'), join(root, 'package.json')); // meow's --help names the package
    const rest = readdirSync(copy).filter((file) => file.startsWith('run-command-'));
    expect(rest).toHaveLength(1);
    rmSync(join(copy, rest[0]!));
    const help = run(join(copy, 'cli.mjs'), ['--help']);
    expect({status: help.status, stdout: help.stdout}).toEqual({
      status: 0,
      stdout: run(CLI, ['--help']).stdout,
    });
    const headless = run(join(copy, 'cli.mjs'), ['--headless', '--duration', '1s']);
    expect(headless.status).toBe(1);
    expect(headless.stdout).toBe('');
    expect(headless.stderr).toContain(rest[0]);
  });

  it("bundles Yoga without its fetch of the WebAssembly (Node's first fetch loads undici)", () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    const dashboard = readdirSync(bundleDir).find((file) => file.startsWith('start-dashboard-'))!;
    const text = readFileSync(join(bundleDir, dashboard), 'utf8');
    expect(text).toContain('data:application/octet-stream;base64,'); // Yoga is in this chunk
    expect(text).not.toContain('typeof fetch');
    // ... and decodes it with Buffer, not atob and a loop (12-19 ms on Node 20)
    expect({
      buffer: text.includes('Buffer.from(a.slice(37),"base64")'),
      loop: text.includes('charCodeAt(a);var d=c'),
    }).toEqual({buffer: true, loop: false});
  });

  it("bundles React's production builds alone (the development builds were 589 KB parsed at each start)", () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    const texts = readdirSync(bundleDir).map((file) => readFileSync(join(bundleDir, file), 'utf8'));
    expect(texts.some((text) => text.includes('react-reconciler.production.js'))).toBe(true);
    expect(texts.flatMap((text) => text.match(/[\w./-]+\.development\.js/g) ?? [])).toEqual([]);
  });

  it("bundles conf requiring Ajv and semver, and Ink's error screen its stack parser, only on use", () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    const dashboard = readdirSync(bundleDir).find((file) => file.startsWith('start-dashboard-'))!;
    const text = readFileSync(join(bundleDir, dashboard), 'utf8');
    // conf and Ink's error screen are in this chunk
    expect(['#setupValidator', 'stackUtils'].filter((name) => !text.includes(name))).toEqual([]);
    // esbuild's import of a CommonJS module runs it where the importing module is loaded
    expect(text.match(/import_(?:stack_utils|semver\d*|_|ajv_formats)=__toESM/g)).toBeNull();
  });

  it("bundles zod's English messages only (every locale was some 300 KB to parse at each start)", () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    const texts = readdirSync(bundleDir).map((file) => readFileSync(join(bundleDir, file), 'utf8'));
    expect(texts.some((text) => text.includes('Invalid input: expected'))).toBe(true); // en
    expect(texts.some((text) => text.includes('Kreditkartennummer'))).toBe(false); // de
  });

  it('bundles meow normalizing package data only when asked (it built spdx tables at load)', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).toMatch(
      /normalizePackageData\d*=\(\.\.\.args\)=>getDefaultExportFromCjs\d*\(requireNormalize\d*\(\)\)/,
    );
    expect(text).not.toMatch(/=requireNormalize\d*\(\);/);
  });
});

describe('the build (scripts/build.mjs)', () => {
  /** This checkout's build inputs copied to a directory of its own, the last build's outputs with them. */
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, {recursive: true, force: true}); // a checkout's copy, dist with it (~5 MB)
  });
  const copyCheckout = () => {
    const root = mkdtempSync(join(tmpdir(), 'svmtop-build-'));
    roots.push(root);
    for (const path of [
      'src',
      'config',
      'scripts',
      'dist',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ])
      cpSync(join(ROOT, path), join(root, path), {recursive: true});
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    return root;
  };
  const caches = (root: string) =>
    ['dist/app', 'dist/bundle'].flatMap((dir) =>
      ['default-world.json', 'default-images.bin'].map((file) => join(root, dir, file)),
    );
  const build = (root: string) => run(join(root, 'scripts', 'build.mjs'), []);

  it('writes no default-world cache for a default world that does not load, and svmtop reports it (exit 2)', () => {
    const root = copyCheckout();
    writeFileSync(join(root, 'config', 'default.yaml'), 'hosts: [unclosed\n');
    const built = build(root);
    expect({status: built.status, stderr: built.stderr}).toMatchObject({status: 0});
    expect(caches(root).filter((file) => existsSync(file))).toEqual([]); // the earlier build's went too
    const args = ['--headless', '--duration', '1s'];
    const direct = run(join(root, 'dist', 'cli.js'), args);
    const bundled = run(join(root, 'dist', 'bundle', 'cli.mjs'), args);
    expect(direct.status).toBe(2);
    expect(direct.stderr).toContain('default.yaml');
    expect({status: bundled.status, stderr: bundled.stderr}).toEqual({status: 2, stderr: direct.stderr});
  }, 240_000);

  it("leaves no earlier build's default-world cache behind when it fails", () => {
    const root = copyCheckout();
    expect(caches(root).filter((file) => existsSync(file))).toHaveLength(4);
    writeFileSync(join(root, 'tsconfig.build.json'), '{'); // tsc fails at once
    const built = build(root);
    expect(built.status).toBe(1);
    expect(caches(root).filter((file) => existsSync(file))).toEqual([]);
  }, 240_000);

  it("makes Yoga's edit with the replacement as written, and fails when Yoga's file is never loaded", async () => {
    expect(applyEdits('a b a', [['a', '$&$1', 2]], 'file')).toEqual({text: '$&$1 b $&$1'});
    expect(applyEdits('a b a', [['a', 'c', 1]], 'file')).toEqual({
      error: 'expected "a" 1 times in file, found 2',
    });
    const esbuild = await import('esbuild');
    const entry = join(mkdtempSync(join(tmpdir(), 'svmtop-edits-')), 'entry.js');
    writeFileSync(entry, 'console.log(1);\n');
    await expect(
      esbuild.build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        logLevel: 'silent',
        plugins: [startupEdits],
      }),
    ).rejects.toThrow(/yoga-layout dist\/binaries\/yoga-wasm-base64-esm\.js was never loaded/);
  });
});

describe('npm start in a terminal', () => {
  it('shows a full dashboard frame, and q quits', async () => {
    const {timeNpmStart} = await import('../bench/startup.js');
    expect((await timeNpmStart()).wallMs).toBeGreaterThan(0);
  });
});
