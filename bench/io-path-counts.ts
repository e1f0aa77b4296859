/**
 * `bench/io-path.ts --counts KiB`: how many times the path alone does each of its modelled steps
 * per request (frame look-ups, full page checks, bounces, swiotlb maps, timers by kind), counted
 * by wrapping the steps' methods for one round after the bench's warm-up. A diagnostic for
 * reading a CPU profile of the path: it does not time anything, and it slows what it counts.
 */
import {CheckedFrames} from '../src/core/checked-frames.js';
import {GUEST_PAGE_SIZE, GuestMemory} from '../src/core/guest-memory.js';
import {MemoryView} from '../src/core/memory-view.js';
import {PageWindow} from '../src/core/page-window.js';
import {Scheduler} from '../src/core/scheduler.js';
import {SwiotlbPool} from '../src/core/swiotlb.js';
import {prepareBouncedIo} from './io-throughput.js';

type Method = (this: object, ...args: unknown[]) => unknown;

/** What each wrapped step is reported as. */
const STEPS: readonly [prototype: object, method: string, label: string][] = [
  [CheckedFrames.prototype, 'cached', 'frame look-ups'],
  [CheckedFrames.prototype, 'check', 'full page checks'],
  [CheckedFrames.prototype, 'remember', 'frames remembered'],
  [GuestMemory.prototype, 'markDirty', 'dirty marks'],
  [MemoryView.prototype, 'copy', 'guest memcpys (bounces)'],
  [SwiotlbPool.prototype, 'map', 'swiotlb maps'],
  [SwiotlbPool.prototype, 'unmap', 'swiotlb unmaps'],
];

export function printCounts(requestBytes: number): void {
  const bench = prepareBouncedIo(requestBytes);
  const counts = new Map<string, number>();
  const count = (label: string): void => {
    counts.set(label, (counts.get(label) ?? 0) + 1);
  };
  for (const [prototype, method, label] of STEPS) wrap(prototype, method, () => count(label));
  wrap(Scheduler.prototype, 'schedule', (task) => count(`timers: ${(task as object).constructor.name}`));
  // The device's indirect-table window moves once per chain: does the next table share its page?
  const pages = new WeakMap<object, number>();
  wrap(PageWindow.prototype, 'moveTo', function (this: object, gpa) {
    const page = Math.floor((gpa as number) / GUEST_PAGE_SIZE);
    count(pages.get(this) === page ? 'table windows: same page' : 'table windows: new page');
    pages.set(this, page);
  });
  bench.round(false);
  bench.check();
  const perRequest = Object.fromEntries(
    [...counts].sort().map(([label, total]) => [label, Number((total / bench.requestsPerRound).toFixed(3))]),
  );
  console.error(`${requestBytes / 1024} KiB, per request:`, perRequest);
  console.log(JSON.stringify({requestBytes, perRequest}));
}

/** Calls `before` with the method's receiver and arguments, then the method itself. */
function wrap(prototype: object, method: string, before: (this: object, ...args: unknown[]) => void): void {
  const methods = prototype as Record<string, Method>;
  const original = methods[method]!;
  methods[method] = function (this: object, ...args: unknown[]) {
    before.apply(this, args);
    return original.apply(this, args);
  };
}
