/**
 * `node scripts/check-import-cycles.mjs [DIR]` (run by `npm run lint`): fails when any module under
 * DIR (default src/) imports itself through other modules (#12: no import cycle). Type-only imports
 * count: a cycle through `import type` still ties two layers together (eslint-plugin-import-x's
 * no-cycle skips them, and eslint-plugin-import does not take ESLint 10). Only relative imports are
 * followed; a specifier ending in .js names the .ts or .tsx beside it, as NodeNext resolution has it.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import ts from 'typescript';

const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;

/** The module a relative specifier names, or undefined (a package, or a file that is not there). */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = [
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${stem}.cts`,
    base,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => SOURCE_FILE.test(candidate) && existsSync(candidate));
}

/** Every source file under rootDir mapped to the source files it imports (static, dynamic, type-only, re-exports). */
export function importGraph(rootDir) {
  const files = readdirSync(rootDir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => resolve(entry.parentPath, entry.name))
    .sort();
  const graph = new Map();
  for (const file of files) {
    const {importedFiles} = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map(({fileName}) => resolveSpecifier(file, fileName));
    graph.set(file, [...new Set(targets.filter((target) => target !== undefined))].sort());
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one module, or one that imports itself. */
function cyclicComponents(graph) {
  const index = new Map();
  const lowLink = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (file) => {
    index.set(file, index.size);
    lowLink.set(file, index.get(file));
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(file, Math.min(lowLink.get(file), lowLink.get(target)));
      } else if (onStack.has(target)) lowLink.set(file, Math.min(lowLink.get(file), index.get(target)));
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) components.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return components;
}

/** One shortest way from a component's first module back to itself, through the component. */
function cycleThrough(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const file = queue[head];
    for (const target of graph.get(file) ?? []) {
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (members.has(target) && !previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  throw new Error(`component of ${start} has no cycle through it`);
}

/** Each import cycle under rootDir as the list of its modules (relative to rootDir), first module repeated last. */
export function findImportCycles(rootDir) {
  const graph = importGraph(rootDir);
  return cyclicComponents(graph).map((component) =>
    cycleThrough(graph, component).map((file) => relative(rootDir, file)),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rootDir = resolve(process.argv[2] ?? 'src');
  const cycles = findImportCycles(rootDir);
  for (const cycle of cycles) process.stderr.write(`import cycle in ${rootDir}: ${cycle.join(' → ')}\n`);
  if (cycles.length > 0) {
    process.stderr.write(
      'Break each cycle: move what both sides need into a module of its own, below both.\n',
    );
    process.exit(1);
  }
}
