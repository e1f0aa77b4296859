/**
 * `npm run bench`: #17's targets and DESIGN §7's, each measured in this run with what it is
 * compared against, as a table. `npm run bench -- NAME` runs one group (see GROUPS);
 * BENCH_QUICK=1 shortens every measurement (for a smoke run). bench/build.mjs bundles this file
 * twice, on patched and on stock Ink; every measurement runs in a fresh process of its own.
 */
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {MEASURES} from './measures.js';
import {GROUPS, type Row} from './rows.js';

const [first, second] = process.argv.slice(2);

if (first === '--measure') {
  const result: unknown = await MEASURES[second!]!();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}

const bundles = {
  patched: fileURLToPath(new URL('../patched/run.mjs', import.meta.url)),
  stock: fileURLToPath(new URL('../stock/run.mjs', import.meta.url)),
};

function measure(name: string, ink: 'patched' | 'stock' = 'patched'): unknown {
  process.stderr.write(`  measuring ${name}${ink === 'stock' ? ' on stock Ink' : ''}\n`);
  const child = spawnSync(process.execPath, ['--expose-gc', bundles[ink], '--measure', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`bench ${name} (${ink} Ink) failed with status ${child.status}`);
  return JSON.parse(child.stdout.trimEnd().split('\n').at(-1)!) as unknown;
}

const names = first ? [first] : Object.keys(GROUPS);
for (const name of names)
  if (!GROUPS[name]) throw new Error(`no benchmark "${name}" (${Object.keys(GROUPS).join(', ')})`);
const rows: Row[] = names.flatMap((name) => GROUPS[name]!(measure));

const quick = process.env.BENCH_QUICK === '1';
console.log(
  `\nsvmtop benchmarks — node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (BENCH_QUICK)' : ''}\n`,
);
console.log('| benchmark | target | measured | met |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.name} | ${row.target} | ${row.measured} | ${row.met} |`);
