import {parseWorldText} from '../src/host/config/load-world.js';
import {World} from '../src/host/world.js';
import {KiB, MiB} from '../src/core/units.js';
import {DISK_WORKLOAD_OFFSET} from '../src/host/workload-profiles.js';
import type {BlkDriver} from '../src/host/virtio/blk-driver.js';
import type {DiskShadow} from '../src/host/checkers/disk-shadow.js';
import {cpuSecondsOf, medianOf} from './timing.js';

/** The 2018-era stack: its guest turns secure without opt-in and bounces by its own policy. */
const WORLD = (swiotlb: string) => `
hosts:
  - {name: h, stack: 2018, memory: 64GiB, ultravisor: {secureMemory: 16GiB, trustedKeys: [k]}}
keys: {k: EQLYysu0Ao7SFDg5MgAqsAxZaU4/Bk2DIFK+CzmzsZY=}
guests:
  - name: g
    host: h
    memory: 4GiB
    svm: on
    dmaPolicy: force-dma-api
    workload: idle
    swiotlb: "${swiotlb}"
    image: {kernel: vmlinux-6.6-pseries, initrd: initramfs-web, size: 256KiB}
    ticket: {key: k, signature: m2v1vUTM32a7+CvkerXb54FAPLUNOGrZ+jPLPIXw3NpWA+L0RVq47yT82ovN/cSTy/OwNzQyrvMDseECUavWAQ==}
    devices: [{type: blk, disk: 1GiB}]
`;

/** The disk range the bench writes and reads back, and the bounce pool it cycles through (32768 slots). */
const REGION_BYTES = 16 * MiB;
const POOL_BYTES = 64 * MiB;
const QUEUE_DEPTH = 8;
/** A write makes two copies (bounce at map, the device's), a read three (bounce at map, device, bounce back). */
const COPIES_PER_REQUEST = 2.5;
/** A round is at least this many requests (whole write-and-read-back passes), so that it lasts about 0.1 s. */
const REQUESTS_PER_ROUND = 4096;

export interface ThroughputResult {
  readonly requestBytes: number;
  /** Requests per round: whole write passes, each read back, over the region. */
  readonly requests: number;
  readonly rounds: number;
  /** CPU µs per request, the median round of each (path, loop and floor rounds interleave). */
  readonly pathMicros: number;
  readonly loopMicros: number;
  /** The workload's producing and verifying of its data: the whole loop less the path alone. */
  readonly workloadMicros: number;
  readonly floorMicros: number;
  /** The path alone (rings, swiotlb, device), bytes per CPU second. */
  readonly bytesPerSecond: number;
  /** Buffer.copy over the path's working set, bytes per CPU second (the floor is 2.5 of them per request). */
  readonly baselineBytesPerSecond: number;
  /** The path alone against its copy floor (1 = only the copies Linux makes): the median of the rounds' ratios. */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** Each round's floor / path, in round order. */
  readonly ratios: readonly number[];
}

/**
 * #17 target 4: a secure force-dma-api guest's virtio-blk, queue depth 8, writes a 16 MiB region
 * and reads it back in `requestBytes` requests through rings, swiotlb bounce slots (a 64 MiB
 * pool) and the host disk. Each round times, in CPU time (this machine is shared), the whole
 * loop (the workload produces every write's data and verifies every byte read), then the path
 * alone (the same requests with the workload's two passes switched off) and the copy floor (the
 * 2 + 3 Buffer.copy calls Linux makes for a write and a read, over the same working set: driver
 * buffers, pool, disk) back to back, the two in turn first. The floor moves with the neighbours'
 * load by up to 1.6× between rounds, so the result is the median of the rounds' own floor / path
 * ratios, with their range; the µs figures are each kind's median round.
 */
export function measureBouncedIo(requestBytes: number, totalBytes: number): ThroughputResult {
  const rounds = Math.min(15, Math.max(5, Math.round(totalBytes / (32 * MiB))));
  const bench = prepareBouncedIo(requestBytes);
  const floor = prepareCopyFloor(requestBytes);
  const loopSeconds: number[] = [];
  const pathSeconds: number[] = [];
  const floorSeconds: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loopSeconds.push(cpuSecondsOf(() => bench.round(true)));
    const isFloorFirst = round % 2 === 0;
    if (isFloorFirst) floorSeconds.push(cpuSecondsOf(floor));
    pathSeconds.push(cpuSecondsOf(() => bench.round(false)));
    if (!isFloorFirst) floorSeconds.push(cpuSecondsOf(floor));
    ratios.push(floorSeconds[round]! / pathSeconds[round]!);
  }
  bench.check();
  const requests = bench.requestsPerRound;
  const bytes = requests * requestBytes;
  const micros = (seconds: number) => (seconds * 1e6) / requests;
  const [path, loop, floorMedian] = [medianOf(pathSeconds), medianOf(loopSeconds), medianOf(floorSeconds)];
  return {
    requestBytes,
    requests,
    rounds,
    pathMicros: micros(path),
    loopMicros: micros(loop),
    workloadMicros: micros(Math.max(0, loop - path)),
    floorMicros: micros(floorMedian),
    bytesPerSecond: bytes / path,
    baselineBytesPerSecond: (COPIES_PER_REQUEST * bytes) / floorMedian,
    ratio: medianOf(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    ratios,
  };
}

/** The bench guest, booted secure, with every disk chunk, bounce slot and buffer page touched once. */
export function prepareBouncedIo(requestBytes: number): {
  readonly requestsPerRound: number;
  /** One write pass and one read-back pass over the region; `withWorkload` false skips producing and verifying. */
  round(withWorkload: boolean): void;
  check(): void;
} {
  const parsed = parseWorldText('bench.yaml', WORLD(`${POOL_BYTES / (2 * KiB)},4`));
  if (!parsed.ok) throw new Error(parsed.error);
  const world = new World(parsed.value, {seed: 1});
  world.start();
  world.advanceTo(8_000_000);
  const guest = world.guest('g')!;
  const kernel = guest.kernel;
  const blk = kernel?.drivers.blk;
  if (!kernel || !blk || guest.securityState !== 'secure')
    throw new Error('bench guest did not come up secure');
  const isWorkloadOn = switchableWorkload(kernel.checkers.disk);
  const requestsPerPass = (2 * REGION_BYTES) / requestBytes;
  const passes = Math.ceil(REQUESTS_PER_ROUND / requestsPerPass);
  const completions = new Completions();
  const round = (withWorkload: boolean): void => {
    isWorkloadOn.value = withWorkload;
    for (let pass = 0; pass < passes; pass++) drive(world, blk, requestBytes, requestsPerPass, completions);
  };
  // The steady state of a guest that has been running: bounce pages and disk chunks already touched.
  const pool = kernel.swiotlb!;
  kernel.view.fill(pool.startGpa, 0, pool.sizeBytes);
  round(true);
  return {
    requestsPerRound: passes * requestsPerPass,
    round,
    check() {
      if (blk.integrityErrors > 0 || blk.failed > 0 || blk.completed < passes * requestsPerPass)
        throw new Error(`bench I/O had ${blk.failed} failures and ${blk.integrityErrors} integrity errors`);
    },
  };
}

/**
 * Counts the bench's completed requests through one callback for the whole run. A callback made
 * per pass changed the call target BlkDriver.complete had been optimised for: every pass
 * deoptimised it (`wrong call target`, and `weak objects` once gc() collected the old one) and
 * V8 compiled it again, which the path's rounds paid for (the workload's own I/O passes none).
 */
class Completions {
  done = 0;
  readonly onComplete = (): void => {
    this.done++;
  };
}

/** Writes the region then reads it back, `QUEUE_DEPTH` requests in flight, in 1 ms steps of simulated time. */
function drive(
  world: World,
  blk: BlkDriver,
  requestBytes: number,
  count: number,
  completions: Completions,
): void {
  let issued = 0;
  const doneBefore = completions.done;
  const onComplete = completions.onComplete;
  const writes = REGION_BYTES / requestBytes;
  while (completions.done - doneBefore < count) {
    while (issued < count && blk.inFlight < QUEUE_DEPTH) {
      const io = {
        isWrite: issued < writes,
        offsetBytes: DISK_WORKLOAD_OFFSET + ((issued * requestBytes) % REGION_BYTES),
        lengthBytes: requestBytes,
        onComplete,
      };
      if (blk.submitIo(io) !== 'queued') break;
      issued++;
    }
    world.scheduler.runUntil(world.scheduler.nowUs + 1_000);
  }
}

/**
 * Lets the bench switch the workload's two passes (producing a write's data, verifying what a
 * read returned) off without changing the object's shape between rounds.
 */
function switchableWorkload(shadow: DiskShadow): {value: boolean} {
  const isOn = {value: true};
  const produce = shadow.produce.bind(shadow);
  const verify = shadow.verify.bind(shadow);
  shadow.produce = (...args) => {
    if (isOn.value) produce(...args);
  };
  shadow.verify = (...args) => (isOn.value ? verify(...args) : 0);
  return isOn;
}

/**
 * The copies Linux makes for the same requests, each one Buffer.copy over the same working set
 * as the path: a write copies its buffer into a bounce slot and the device copies the slot to
 * disk; a read bounces its buffer at map, the device copies disk to slot, and unmap copies the
 * slot back. Slots advance through the 64 MiB pool as the kernel's area indices do.
 */
export function prepareCopyFloor(requestBytes: number): () => void {
  const requestsPerPass = (2 * REGION_BYTES) / requestBytes;
  const passes = Math.ceil(REQUESTS_PER_ROUND / requestsPerPass);
  const buffers = Buffer.alloc(QUEUE_DEPTH * requestBytes, 1);
  const pool = Buffer.alloc(POOL_BYTES, 2);
  const disk = Buffer.alloc(REGION_BYTES, 3);
  const writes = REGION_BYTES / requestBytes;
  let slot = 0;
  const pass = (): void => {
    for (let i = 0; i < requestsPerPass; i++) {
      const buffer = (i % QUEUE_DEPTH) * requestBytes;
      const offset = (i * requestBytes) % REGION_BYTES;
      buffers.copy(pool, slot, buffer, buffer + requestBytes);
      if (i < writes) pool.copy(disk, offset, slot, slot + requestBytes);
      else {
        disk.copy(pool, slot, offset, offset + requestBytes);
        pool.copy(buffers, buffer, slot, slot + requestBytes);
      }
      slot = (slot + requestBytes) % POOL_BYTES;
    }
  };
  const round = (): void => {
    for (let i = 0; i < passes; i++) pass();
  };
  round();
  return round;
}

export const REQUEST_SIZES = [64 * KiB, 4 * KiB];
