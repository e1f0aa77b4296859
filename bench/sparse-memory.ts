import {World} from '../src/host/world.js';
import {bigWorld} from './big-world.js';

/** Guests of 8 GiB each: what the process holds after they boot and run, against their nominal size. */
export function measureSparseMemory(
  guests: number,
  seconds: number,
): {nominalGiB: number; materializedMiB: number; rssMiB: number} {
  const config = bigWorld(guests);
  const world = new World(
    {...config, guests: config.guests.map((guest) => ({...guest, memory: 8 * 1024 ** 3}))},
    {seed: 3},
  );
  world.start();
  world.advanceTo(seconds * 1_000_000);
  let pages = 0;
  for (const guest of world.guests.values()) pages += guest.memory.materializedPageCount;
  return {nominalGiB: guests * 8, materializedMiB: pages / 16, rssMiB: process.memoryUsage().rss / 2 ** 20};
}
