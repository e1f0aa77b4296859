/**
 * `bench/io-path.ts --profile KiB [rounds]`: where the I/O path's time per request goes, by kind
 * of modelled work, and what it allocates. Times the path's rounds unprofiled first (the median
 * round's CPU µs per request), then samples them with V8's CPU profiler and spreads that median
 * over the profile's samples by the source file they were in; then samples allocations (collected objects
 * included) and prints bytes per request by allocating function. A diagnostic for #17 target 4:
 * it shows the floor of the modelled steps, it is not a benchmark row.
 */
import {Session} from 'node:inspector/promises';
import {prepareBouncedIo} from './io-throughput.js';
import {cpuSecondsOf, medianOf} from './timing.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {readonly functionName: string; readonly url: string};
  readonly children?: readonly number[];
}

interface SamplingNode {
  readonly callFrame: {readonly functionName: string; readonly url: string};
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/** Kinds of work by the file the time is spent in (first match). */
const KINDS: readonly [kind: string, file: RegExp][] = [
  ['memcpy (copyBytes: bounces, device copies, small buffers)', /\/copy-bytes\.ts$/],
  ['swiotlb slots (find, take, release, bounce bookkeeping)', /\/(swiotlb[^/]*|dma-ops)\.ts$/],
  [
    'memory view: range and page-state checks, frame look-ups',
    /\/(memory-view|checked-frames|page-window|guest-memory|page-out|page-table|little-endian)\.ts$/,
  ],
  [
    'driver ring (descriptors, indirect table, avail, kick, get_buf)',
    /\/(split-virtqueue-driver|split-virtqueue-fields|split-ring-layout|driver-rings)\.ts$/,
  ],
  [
    'device ring (pop, QEMU chain checks, used ring, should_notify)',
    /\/(split-virtqueue-device|split-virtqueue-chain|split-descriptor-reader|split-virtqueue-element)\.ts$/,
  ],
  [
    'device model (blk backend, element I/O, disk store)',
    /\/(blk-backend|element-io|disk-store|backend|device-core|device-queues)\.ts$/,
  ],
  [
    'driver model (blk driver, request, interrupt delivery, shadow, arena)',
    /\/(blk-driver|driver-core|driver-request|disk-shadow|range-allocator|guest-kernel|guest-cpu|guest-effects|transport)\.ts$/,
  ],
  ['events (scheduler, notify, completion and interrupt timers)', /\/(scheduler|device-queue|clock)\.ts$/],
  ['bench loop (drive)', /\/io-throughput\.ts$/],
];

export async function printProfile(requestBytes: number, rounds: number): Promise<void> {
  const bench = prepareBouncedIo(requestBytes);
  for (let round = 0; round < 3; round++) bench.round(false);
  const seconds: number[] = [];
  for (let round = 0; round < rounds; round++) seconds.push(cpuSecondsOf(() => bench.round(false)));
  const micros = (medianOf(seconds) * 1e6) / bench.requestsPerRound;
  const session = new Session();
  session.connect();
  const self = await cpuSelfTimes(session, () => {
    for (let round = 0; round < rounds; round++) bench.round(false);
  });
  const allocated = await allocations(session, () => bench.round(false));
  session.disconnect();
  bench.check();
  const requests = bench.requestsPerRound;
  console.error(
    `${requestBytes / 1024} KiB: path ${micros.toFixed(2)} µs/request (median of ${rounds} rounds), by kind:`,
  );
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const byKind = new Map<string, number>();
  for (const [where, time] of self) {
    const kind = where.startsWith('(garbage collector)')
      ? 'garbage collection'
      : (KINDS.find(([, file]) => file.test(where.split(' ').at(-1)!))?.[0] ?? 'other');
    byKind.set(kind, (byKind.get(kind) ?? 0) + time);
  }
  for (const [kind, time] of [...byKind].sort((a, b) => b[1] - a[1]))
    console.error(`  ${((micros * time) / total).toFixed(2).padStart(6)} µs  ${kind}`);
  console.error('  top functions (self):');
  for (const [where, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.error(
      `  ${((micros * time) / total).toFixed(2).padStart(6)} µs  ${where.split(' ')[0]} (${where.split('/').at(-1)})`,
    );
  const bytes = [...allocated.values()].reduce((sum, value) => sum + value, 0);
  console.error(`  allocated: ${(bytes / requests).toFixed(0)} bytes/request, by function:`);
  for (const [where, size] of [...allocated].sort((a, b) => b[1] - a[1]).slice(0, 6))
    console.error(`  ${(size / requests).toFixed(0).padStart(6)} B  ${where}`);
  console.log(
    JSON.stringify({
      requestBytes,
      micros,
      kinds: Object.fromEntries(byKind),
      bytesPerRequest: bytes / requests,
    }),
  );
}

/** Self time (samples) by `function url` while `work` runs, GC included. */
async function cpuSelfTimes(session: Session, work: () => void): Promise<Map<string, number>> {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', {interval: 200});
  await session.post('Profiler.start');
  work();
  const {profile} = await session.post('Profiler.stop');
  const nodes = profile.nodes as unknown as ProfileNode[];
  // Samples counted rather than their time deltas: on Node 24 the first delta holds the time
  // from Profiler.start to the first sample, and lands on whatever ran then.
  const times = new Map<number, number>();
  for (const id of profile.samples!) times.set(id, (times.get(id) ?? 0) + 1);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const [id, time] of times) {
    const {functionName, url} = byId.get(id)!.callFrame;
    // Only `work` ran while sampling (V8 may inline the bench's own loop away, so no frame of it
    // marks the path): everything but the inspector's calls and idle time is the path's.
    if (url.startsWith('node:') || functionName === '(idle)' || functionName === '(program)') continue;
    const where = `${functionName || '(anonymous)'} ${url || '(v8)'}`;
    self.set(where, (self.get(where) ?? 0) + time);
  }
  return self;
}

/** Bytes allocated under `work` by allocating function (sampled every 256 bytes, collected objects included). */
async function allocations(session: Session, work: () => void): Promise<Map<string, number>> {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  work();
  const {profile} = await session.post('HeapProfiler.stopSampling');
  const sizes = new Map<string, number>();
  const walk = (node: SamplingNode, caller: string): void => {
    const name = `${node.callFrame.functionName || '(anonymous)'} (${node.callFrame.url.split('/').at(-1)})`;
    if (node.selfSize > 0)
      sizes.set(`${name} < ${caller}`, (sizes.get(`${name} < ${caller}`) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, name);
  };
  walk(profile.head as unknown as SamplingNode, '');
  return sizes;
}
