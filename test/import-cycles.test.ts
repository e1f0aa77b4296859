import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ROOT} from './helpers/cli.js';
// @ts-expect-error -- a plain ES module script without types (scripts/ runs before any build)
import {findImportCycles as findImportCyclesUntyped} from '../scripts/check-import-cycles.mjs';

const findImportCycles = findImportCyclesUntyped as (rootDir: string) => string[][];
const SCRIPT = join(ROOT, 'scripts', 'check-import-cycles.mjs');

/** A throwaway source tree: path → text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'svmtop-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), {recursive: true});
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the import-cycle check (scripts/check-import-cycles.mjs)', () => {
  it('finds a cycle of three modules across folders and names it in import order', () => {
    const root = tree({
      'host/a.ts': "import {b} from './b.js';\nexport const a = b;\n",
      'host/b.ts': "import {c} from '../core/c.js';\nexport const b = c;\n",
      'core/c.ts': "import {a} from '../host/a.js';\nexport const c = () => a;\n",
      'core/d.ts': "import {c} from './c.js';\nexport const d = c;\n",
    });
    expect(findImportCycles(root)).toEqual([['core/c.ts', 'host/a.ts', 'host/b.ts', 'core/c.ts']]);
  });

  it('counts type-only imports, re-exports and .tsx modules', () => {
    const root = tree({
      'a.ts': "import type {B} from './b.js';\nexport type A = B;\n",
      'b.tsx': "export type {C as B} from './c.js';\n",
      'c.ts': "import {type A} from './a.js';\nexport type C = A | number;\n",
    });
    expect(findImportCycles(root)).toEqual([['a.ts', 'b.tsx', 'c.ts', 'a.ts']]);
  });

  it('finds a module that imports itself and leaves packages and acyclic trees alone', () => {
    const root = tree({
      'self.ts': "import {x} from './self.js';\nexport const y = x;\nexport const x = 1;\n",
      'ok.ts':
        "import {readFileSync} from 'node:fs';\nimport {x} from './self.js';\nexport const z = [x, readFileSync];\n",
    });
    expect(findImportCycles(root)).toEqual([['self.ts', 'self.ts']]);
  });

  it('fails the command with each cycle on stderr, and passes on src/ as it stands', () => {
    const root = tree({'a.ts': "import './b.js';\n", 'b.ts': "import './a.js';\n"});
    const failing = spawnSync(process.execPath, [SCRIPT, root], {encoding: 'utf8'});
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('a.ts → b.ts → a.ts');
    const passing = spawnSync(process.execPath, [SCRIPT, join(ROOT, 'src')], {encoding: 'utf8'});
    expect(passing.stderr).toBe('');
    expect(passing.status).toBe(0);
  });
});
