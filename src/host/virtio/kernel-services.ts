import type {MemoryView} from '../../core/memory-view.js';
import type {RangeAllocator} from '../../core/range-allocator.js';
import type {TimerHandle} from '../../core/scheduler.js';
import type {SwiotlbPool} from '../../core/swiotlb.js';
import type {GuestCheckers} from '../checkers/guest-checkers.js';
import type {DmaPolicy} from '../config/world-schema.js';
import type {PageSharing} from '../dma-ops.js';
import type {SimContext} from '../sim-context.js';

/** The device a mapping was for: its bus position and how the kernel prints it (`virtio_blk virtio1`). */
export interface MappingDevice {
  readonly index: number;
  readonly label: string;
}

/** What a driver needs from the guest kernel it runs in. */
export interface KernelServices {
  readonly context: SimContext;
  readonly vm: string;
  readonly view: MemoryView;
  readonly heap: RangeAllocator;
  readonly policy: DmaPolicy;
  readonly isSecure: boolean;
  readonly isSwiotlbForced: boolean;
  readonly swiotlb: SwiotlbPool | null;
  /** Page sharing with the hypervisor; present only in a secure guest. */
  readonly sharing: PageSharing | undefined;
  /** The guest's end-to-end checks (what its applications sent and must get back). */
  readonly checkers: GuestCheckers;
  /** A request is about to be submitted: it runs on the next vCPU in turn. */
  beginRequest(): void;
  /** The vCPU the current request is submitted on; its mappings start their search in that swiotlb area. */
  currentCpu(): number;
  /** Runs guest code on a vCPU (interrupt handlers): deferred while the VM is paused. */
  runOnCpu(work: () => void): void;
  /** A kernel timer: deferred while the VM is paused, dropped when this boot ends. */
  guestTimer(delayUs: number, work: () => void): TimerHandle;
  /**
   * A bounce-buffer mapping failed: warns as Linux does (rate-limited), and once per device says
   * why when the pool's geometry is the cause.
   * @returns false when the mapping can never succeed (retrying is pointless)
   */
  reportMapFailure(device: MappingDevice, sizeBytes: number): boolean;
  /** Boots of this guest so far; tells this boot's traffic from an earlier one's. */
  readonly bootCount: number;
  /** Firmware and bootloaders drive devices with raw addresses whatever the kernel would do. */
  readonly isFirmware: boolean;
  /** Firmware only: it accepts ACCESS_PLATFORM when offered (a SLOF with IOMMU support). */
  readonly isFirmwareIommuAware: boolean;
}
