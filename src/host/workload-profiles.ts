import {GiB, KiB, MiB} from '../core/units.js';
import type {WorkloadName} from './config/world-schema.js';

/** Rates are per simulated second; sizes in bytes. */
export interface WorkloadProfile {
  readonly consoleLinesPerSecond: number;
  readonly rngRequestsPerSecond: number;
  readonly netFramesPerSecond: number;
  readonly netPayloadBytes: readonly [number, number];
  readonly netReplyBytes: readonly [number, number];
  readonly blkRequestsPerSecond: number;
  /** Request sizes in 4 KiB blocks, inclusive range. */
  readonly blkBlocks: readonly [number, number];
  readonly blkReadFraction: number;
  readonly blkIsSequential: boolean;
  readonly blkQueueDepth: number;
  /** Bytes of the disk the workload uses, from DISK_WORKLOAD_OFFSET on. */
  readonly blkRegionBytes: number;
  readonly dirtyBytesPerSecond: number;
  readonly workingSetBytes: number;
}

/** Workload data starts past the boot image on the disk. */
export const DISK_WORKLOAD_OFFSET = 16 * MiB;

export const WORKLOAD_PROFILES: Record<WorkloadName, WorkloadProfile> = {
  idle: {
    consoleLinesPerSecond: 0.5,
    rngRequestsPerSecond: 0.2,
    netFramesPerSecond: 1,
    netPayloadBytes: [32, 64],
    netReplyBytes: [64, 128],
    blkRequestsPerSecond: 0.5,
    blkBlocks: [1, 1],
    blkReadFraction: 0.5,
    blkIsSequential: false,
    blkQueueDepth: 1,
    blkRegionBytes: 256 * KiB,
    dirtyBytesPerSecond: 256 * KiB,
    workingSetBytes: 16 * MiB,
  },
  web: {
    consoleLinesPerSecond: 1,
    rngRequestsPerSecond: 1,
    netFramesPerSecond: 40,
    netPayloadBytes: [64, 512],
    netReplyBytes: [256, 1460],
    blkRequestsPerSecond: 6,
    blkBlocks: [1, 4],
    blkReadFraction: 0.9,
    blkIsSequential: false,
    blkQueueDepth: 4,
    blkRegionBytes: 1 * MiB,
    dirtyBytesPerSecond: 4 * MiB,
    workingSetBytes: 64 * MiB,
  },
  db: {
    consoleLinesPerSecond: 0.5,
    rngRequestsPerSecond: 0.5,
    netFramesPerSecond: 15,
    netPayloadBytes: [64, 256],
    netReplyBytes: [128, 512],
    blkRequestsPerSecond: 30,
    blkBlocks: [1, 16],
    blkReadFraction: 0.7,
    blkIsSequential: false,
    blkQueueDepth: 8,
    blkRegionBytes: 2 * MiB,
    dirtyBytesPerSecond: 16 * MiB,
    workingSetBytes: 256 * MiB,
  },
  stream: {
    consoleLinesPerSecond: 0.2,
    rngRequestsPerSecond: 0.2,
    netFramesPerSecond: 10,
    netPayloadBytes: [64, 128],
    netReplyBytes: [64, 128],
    blkRequestsPerSecond: 6,
    blkBlocks: [64, 64],
    blkReadFraction: 0.5,
    blkIsSequential: true,
    blkQueueDepth: 2,
    blkRegionBytes: 4 * MiB,
    dirtyBytesPerSecond: 8 * MiB,
    workingSetBytes: 128 * MiB,
  },
  churn: {
    consoleLinesPerSecond: 0.2,
    rngRequestsPerSecond: 0.2,
    netFramesPerSecond: 5,
    netPayloadBytes: [64, 128],
    netReplyBytes: [64, 128],
    blkRequestsPerSecond: 2,
    blkBlocks: [1, 2],
    blkReadFraction: 0.5,
    blkIsSequential: false,
    blkQueueDepth: 2,
    blkRegionBytes: 256 * KiB,
    dirtyBytesPerSecond: 256 * MiB,
    workingSetBytes: 1 * GiB,
  },
};
