import {parseWorldText} from '../src/host/config/load-world.js';
import {World} from '../src/host/world.js';
import {KiB, MiB} from '../src/core/units.js';
import {DISK_WORKLOAD_OFFSET} from '../src/host/workload-profiles.js';

const WORLD = (swiotlb: string) => `
hosts:
  - {name: h, memory: 64GiB, ultravisor: {secureMemory: 16GiB, trustedKeys: [k]}}
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

export interface ThroughputResult {
  readonly requestBytes: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly bytesPerSecond: number;
  readonly baselineBytesPerSecond: number;
  readonly ratio: number;
}

/**
 * Drives a secure force-dma-api guest's virtio-blk with writes then read-backs of `requestBytes`,
 * queue depth 8, through rings, swiotlb bounce buffers and the host disk, verifying every byte;
 * compares with Buffer.copy of the same bytes over the same working-set size, measured in the same run.
 */
export function measureBouncedIo(requestBytes: number, totalBytes: number): ThroughputResult {
  const bench = prepareBouncedIo(requestBytes);
  // Best of three (for both sides): this shared machine's neighbours only ever add time.
  const requests = Math.ceil(totalBytes / requestBytes / 3);
  let seconds = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    bench.run(requests);
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  bench.check();
  const bytes = requests * requestBytes;
  const baseline = Math.max(...[0, 1, 2].map(() => copyBandwidth(requestBytes, bytes, bench.regionBytes)));
  return {
    requestBytes,
    bytes,
    seconds,
    bytesPerSecond: bytes / seconds,
    baselineBytesPerSecond: baseline,
    ratio: bytes / seconds / baseline,
  };
}

/** The bench guest, booted secure, with every disk chunk, bounce slot and buffer page touched once. */
export function prepareBouncedIo(requestBytes: number): {
  readonly regionBytes: number;
  run(requests: number): void;
  check(): void;
} {
  const parsed = parseWorldText('bench.yaml', WORLD('32768,4'));
  if (!parsed.ok) throw new Error(parsed.error);
  const world = new World(parsed.value, {seed: 1});
  world.start();
  world.advanceTo(8_000_000);
  const guest = world.guest('g')!;
  const blk = guest.kernel?.drivers.blk;
  if (!blk || guest.securityState !== 'secure') throw new Error('bench guest did not come up secure');
  const regionBytes = 16 * MiB;
  const run = (count: number): void => {
    let issued = 0;
    let done = 0;
    while (done < count) {
      while (issued < count && blk.inFlight < 8) {
        const offset = DISK_WORKLOAD_OFFSET + ((issued * requestBytes) % regionBytes);
        const isWrite = Math.floor((issued * requestBytes) / regionBytes) % 2 === 0;
        if (
          blk.submitIo({
            isWrite,
            offsetBytes: offset,
            lengthBytes: requestBytes,
            onComplete: () => done++,
          }) !== 'queued'
        )
          break;
        issued++;
      }
      world.scheduler.runUntil(world.scheduler.nowUs + 1_000);
    }
  };
  // The steady state of a guest that has been running: bounce pages and disk chunks already touched.
  const pool = guest.kernel!.swiotlb!;
  guest.kernel!.view.fill(pool.startGpa, 0, pool.sizeBytes);
  run((2 * regionBytes) / requestBytes);
  return {
    regionBytes,
    run,
    check() {
      if (blk.integrityErrors > 0 || blk.failed > 0)
        throw new Error(`bench I/O had ${blk.failed} failures and ${blk.integrityErrors} integrity errors`);
    },
  };
}

/** Buffer.copy of `totalBytes` in `chunkBytes` pieces cycling through `workingSetBytes`: the raw bandwidth. */
export function copyBandwidth(chunkBytes: number, totalBytes: number, workingSetBytes: number): number {
  const source = Buffer.alloc(workingSetBytes, 1);
  const target = Buffer.alloc(workingSetBytes);
  const chunks = Math.ceil(totalBytes / chunkBytes);
  const pass = () => {
    for (let i = 0; i < chunks; i++) {
      const offset = (i * chunkBytes) % (workingSetBytes - chunkBytes);
      source.copy(target, offset, offset, offset + chunkBytes);
    }
  };
  pass();
  const start = performance.now();
  pass();
  return totalBytes / ((performance.now() - start) / 1000);
}

export const REQUEST_SIZES = [64 * KiB, 4 * KiB];
