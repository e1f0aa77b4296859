/**
 * `npm run soak`: 10 simulated minutes at 20× speed of random commands and faults against the
 * default world, invariants checked after every step; prints the report. SOAK_SECONDS and
 * SOAK_SPEED (0 = as fast as possible) override; the seeds come from the command line.
 */
import {DEFAULT_WORLD_FILE, loadWorldFile} from '../src/host/config/load-world.js';
import {soak} from './soak-runner.js';

const loaded = loadWorldFile(DEFAULT_WORLD_FILE);
if (!loaded.ok) throw new Error(loaded.error);
const seeds = process.argv.slice(2).map(Number);
const simulatedSeconds = Number(process.env.SOAK_SECONDS ?? 600);
const speed = Number(process.env.SOAK_SPEED ?? 20);
let failed = false;
for (const seed of seeds.length > 0 ? seeds : [1]) {
  console.error(
    `soak: seed ${seed}, ${simulatedSeconds} simulated s at ${speed === 0 ? 'full' : `${speed}×`} speed…`,
  );
  const report = await soak({
    config: loaded.value,
    seed,
    simulatedSeconds,
    speed,
    warmupSeconds: Math.min(120, simulatedSeconds / 5),
  });
  console.log(JSON.stringify(report));
  // Guest data (pages the guests touched, disk blocks they wrote) is state the soak's commands create, not a leak.
  const ok = report.integrityErrors === 0 && report.overheadGrowthPercent < 5;
  console.error(
    `seed ${seed}: ${report.commands} commands (${report.commandsRefused} refused, ${report.faults} faults), ${report.invariantChecks} invariant checks, ` +
      `events ${JSON.stringify(report.eventsBySeverity)}, integrity errors ${report.integrityErrors}, ` +
      `RSS ${report.rssStartMiB.toFixed(0)} → ${report.rssEndMiB.toFixed(0)} MiB (${report.rssGrowthPercent.toFixed(1)}%), guest data ${report.guestDataStartMiB.toFixed(0)} → ${report.guestDataEndMiB.toFixed(0)} MiB, net ${report.overheadGrowthPercent.toFixed(1)}% — ${ok ? 'PASS' : 'FAIL'}`,
  );
  failed ||= !ok;
}
process.exitCode = failed ? 1 : 0;
