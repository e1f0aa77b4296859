/**
 * #17 target 4 on its own: `node --expose-gc --import tsx bench/io-path.ts [KiB ...]` prints, per request size, the
 * I/O path alone against its copy floor (the median of interleaved rounds' ratios, with their
 * range), the whole loop and the workload's share (CPU µs per request, median rounds), then the
 * results as JSON. For a profile of the path
 * alone: `--path-only KiB` runs just its rounds (under `node --cpu-prof`); `--counts KiB` prints how
 * many times a request does each modelled step (frame look-ups, page checks, bounces, timers);
 * `--profile KiB [rounds]` where its µs go by kind of modelled work, and the bytes it allocates.
 */
import {KiB, MiB} from '../src/core/units.js';
import {measureBouncedIo, prepareBouncedIo, REQUEST_SIZES} from './io-throughput.js';
import {printCounts} from './io-path-counts.js';
import {printProfile} from './io-path-profile.js';

const args = process.argv.slice(2);
if (args[0] === '--path-only') {
  const bench = prepareBouncedIo(Number(args[1] ?? 4) * KiB);
  for (let round = 0; round < Number(args[2] ?? 10); round++) bench.round(false);
  bench.check();
} else if (args[0] === '--counts') {
  printCounts(Number(args[1] ?? 4) * KiB);
} else if (args[0] === '--profile') {
  await printProfile(Number(args[1] ?? 4) * KiB, Number(args[2] ?? 15));
} else {
  const sizes = args.length > 0 ? args.map((kib) => Number(kib) * KiB) : REQUEST_SIZES;
  const results = sizes.map((size) => {
    const result = measureBouncedIo(size, Number(process.env.IO_BENCH_MIB ?? 512) * MiB);
    const f = (value: number) => value.toFixed(2);
    console.error(
      `${size / KiB} KiB: path ${f(result.pathMicros)} µs/request, ${result.ratio.toFixed(3)} of its floor (${result.ratioMin.toFixed(3)}–${result.ratioMax.toFixed(3)}; floor ${f(result.floorMicros)} µs); whole loop ${f(result.loopMicros)} µs, of which producing and verifying ${f(result.workloadMicros)} µs; median of ${result.rounds} rounds`,
    );
    return result;
  });
  console.log(JSON.stringify(results));
}
