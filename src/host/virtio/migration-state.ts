import type {RingIndices, QueueElement} from '../../core/split-virtqueue-device.js';
import type {SplitRingAddresses} from '../../core/split-ring-layout.js';
import type {FeatureSet} from '../../core/virtio.js';
import type {BalloonMigrationState} from './balloon-protocol.js';
import type {BlkMigrationState} from './blk-protocol.js';
import type {ConsoleMigrationState} from './console-protocol.js';
import type {NetMigrationState} from './net-protocol.js';
import type {RngMigrationState} from './rng-protocol.js';

/** One queue as `virtio_save` carries it: where it is, its indices, the elements still in flight. */
export interface QueueMigrationState {
  readonly addresses: SplitRingAddresses;
  readonly size: number;
  readonly indices: RingIndices;
  readonly pending: readonly QueueElement[];
}

/** A device type's own state (its vmstate subsection), by type. */
export type DeviceMigrationState =
  BalloonMigrationState | BlkMigrationState | ConsoleMigrationState | NetMigrationState | RngMigrationState;

/** Device state that migration carries (QEMU's vmstate for the virtio device). */
export interface BackendMigrationState {
  readonly status: number;
  readonly negotiated: FeatureSet;
  /** Absent entries are queues the driver never enabled. */
  readonly queues: ReadonlyArray<QueueMigrationState | undefined>;
  readonly device: DeviceMigrationState;
}
