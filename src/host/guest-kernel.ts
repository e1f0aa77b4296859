import {GUEST_PAGE_SIZE, type GuestMemory} from '../core/guest-memory.js';
import {MemoryView} from '../core/memory-view.js';
import {RangeAllocator} from '../core/range-allocator.js';
import {RateLimiter} from '../core/rate-limit.js';
import {IO_TLB_SIZE, SwiotlbPool, swiotlbFullMessage} from '../core/swiotlb.js';
import {formatBytes} from '../core/format-units.js';
import type {DmaPolicy} from './config/world-schema.js';
import type {PageSharing} from './dma-ops.js';
import type {GuestLayout} from './guest-layout.js';
import type {TimerHandle} from '../core/scheduler.js';
import type {GuestCheckers} from './checkers/guest-checkers.js';
import {explainMapFailure} from './dma-ops.js';
import type {SimContext} from './sim-context.js';
import {BalloonDriver} from './virtio/balloon-driver.js';
import {BlkDriver} from './virtio/blk-driver.js';
import {ConsoleDriver} from './virtio/console-driver.js';
import type {VirtioDriver} from './virtio/driver.js';
import type {KernelServices, MappingDevice} from './virtio/kernel-services.js';
import {NetDriver} from './virtio/net-driver.js';
import {RngDriver} from './virtio/rng-driver.js';
import type {VirtioPciTransport} from './virtio/transport.js';

export interface GuestKernelOptions {
  readonly context: SimContext;
  readonly vm: string;
  readonly memory: GuestMemory;
  readonly layout: GuestLayout;
  readonly vcpus: number;
  readonly policy: DmaPolicy;
  readonly isSwiotlbForced: boolean;
  readonly bootCount: number;
  readonly isFirmware: boolean;
  /** Firmware only: its SLOF accepts ACCESS_PLATFORM when offered. */
  readonly isFirmwareIommuAware: boolean;
  readonly checkers: GuestCheckers;
  /** Runs guest code on a vCPU: deferred while the VM is paused. */
  readonly runOnCpu: (work: () => void) => void;
  /** A timer of this boot: deferred while the VM is paused, dropped when the boot ends. */
  readonly guestTimer: (delayUs: number, work: () => void) => TimerHandle;
  /** Whether this kernel runs secure now: read from the guest's lifecycle, not kept here. */
  readonly isSecure: () => boolean;
}

/** What the guest's bus sees of a device: its transport. */
export interface BusDevice {
  readonly transport: VirtioPciTransport;
}

/**
 * The drivers a kernel has bound, by device type. Every slot exists from the start (undefined
 * until bound, and again once removed) so that every kernel's object has one shape: the workload
 * reads these slots on every tick of every guest.
 */
export interface BoundDrivers {
  net: NetDriver | undefined;
  blk: BlkDriver | undefined;
  console: ConsoleDriver | undefined;
  rng: RngDriver | undefined;
  balloon: BalloonDriver | undefined;
}

function unboundDrivers(): BoundDrivers {
  return {net: undefined, blk: undefined, console: undefined, rng: undefined, balloon: undefined};
}

/**
 * One running instance of a guest's kernel (or its firmware): the heap for rings and buffers,
 * the swiotlb pool when there is one, and the bound virtio drivers.
 */
export class GuestKernel implements KernelServices {
  readonly context: SimContext;
  readonly vm: string;
  readonly view: MemoryView;
  readonly heap: RangeAllocator;
  readonly policy: DmaPolicy;
  readonly isSwiotlbForced: boolean;
  readonly bootCount: number;
  readonly isFirmware: boolean;
  readonly isFirmwareIommuAware: boolean;
  readonly checkers: GuestCheckers;
  readonly drivers: BoundDrivers = unboundDrivers();
  /** The bound drivers in binding order: `allDrivers()`, asked per device by every snapshot. */
  readonly #driverList: VirtioDriver[] = [];
  readonly #options: GuestKernelOptions;
  readonly #warnLimiter = new RateLimiter();
  /** Devices already told why their mappings cannot fit (said once per device and boot). */
  readonly #explainedMapFailures = new Set<number>();
  swiotlb: SwiotlbPool | null = null;
  sharing: PageSharing | undefined;
  /** The vCPU the request being submitted runs on; the next request goes to the next vCPU. */
  #cpu = 0;
  #nextCpu = 0;

  constructor(options: GuestKernelOptions) {
    this.#options = options;
    this.context = options.context;
    this.vm = options.vm;
    this.view = new MemoryView(options.memory, false);
    this.heap = new RangeAllocator(options.layout.heapStartGpa, options.layout.heapBytes, GUEST_PAGE_SIZE);
    this.policy = options.policy;
    this.isSwiotlbForced = options.isSwiotlbForced;
    this.bootCount = options.bootCount;
    this.isFirmware = options.isFirmware;
    this.isFirmwareIommuAware = options.isFirmwareIommuAware;
    this.checkers = options.checkers;
  }

  /** After migration the same kernel runs on the target's copy of memory. */
  rebindMemory(memory: GuestMemory): void {
    this.view.memory = memory;
  }

  /** `is_secure_guest()`: the lifecycle's fact, so the kernel and the snapshot never disagree. */
  get isSecure(): boolean {
    return this.#options.isSecure();
  }

  runOnCpu(work: () => void): void {
    this.#options.runOnCpu(work);
  }

  guestTimer(delayUs: number, work: () => void): TimerHandle {
    return this.#options.guestTimer(delayUs, work);
  }

  /**
   * vCPUs take turns submitting requests: each request is submitted, and so all of its buffers
   * mapped, on one vCPU, which spreads requests (not one request's mappings) over swiotlb areas.
   */
  beginRequest(): void {
    this.#cpu = this.#nextCpu;
    this.#nextCpu = (this.#nextCpu + 1) % this.#options.vcpus;
  }

  /** The vCPU the current request is submitted on (`raw_smp_processor_id()`). */
  currentCpu(): number {
    return this.#cpu;
  }

  reportMapFailure(device: MappingDevice, sizeBytes: number): boolean {
    this.#warnSwiotlbFull(device.label, sizeBytes);
    const pool = this.swiotlb;
    if (!pool) return true;
    const explanation = explainMapFailure(pool, device.index, sizeBytes);
    if (explanation && !this.#explainedMapFailures.has(device.index)) {
      this.#explainedMapFailures.add(device.index);
      this.context.emit(this.vm, 'swiotlb-too-small', 'warning', `${device.label}: ${explanation.message}`);
    }
    return explanation?.code !== 'larger-than-segment';
  }

  /** Linux's rate-limited `dev_warn_ratelimited` from `swiotlb_tbl_map_single`. */
  #warnSwiotlbFull(device: string, sizeBytes: number): void {
    const decision = this.#warnLimiter.check(this.context.scheduler.nowUs);
    if (decision.suppressedBefore > 0) {
      this.context.emit(
        this.vm,
        'swiotlb-full',
        'warning',
        `${device}: ___ratelimit: ${decision.suppressedBefore} callbacks suppressed`,
      );
    }
    if (!decision.isAllowed || !this.swiotlb) return;
    this.context.emit(
      this.vm,
      'swiotlb-full',
      'warning',
      `${device}: ${swiotlbFullMessage(sizeBytes, this.swiotlb.nslabs, this.swiotlb.used)}`,
    );
  }

  /** Creates the swiotlb pool (`swiotlb_init` / `svm_swiotlb_init`), shared with the hypervisor when secure. */
  createSwiotlb(): SwiotlbPool {
    const layout = this.#options.layout;
    const pool = new SwiotlbPool({
      nslabs: layout.swiotlb.nslabs,
      nareas: layout.swiotlb.nareas,
      startGpa: layout.swiotlbStartGpa,
      view: this.view,
      pageSize: GUEST_PAGE_SIZE,
    });
    const pages = Math.ceil((layout.swiotlb.nslabs * IO_TLB_SIZE) / GUEST_PAGE_SIZE);
    this.sharing?.share(layout.swiotlbStartGpa / GUEST_PAGE_SIZE, pages);
    this.swiotlb = pool;
    const end = layout.swiotlbStartGpa + pool.sizeBytes - 1;
    this.context.emit(
      this.vm,
      'swiotlb',
      'info',
      `software IO TLB: mapped [mem 0x${layout.swiotlbStartGpa.toString(16).padStart(16, '0')}-0x${end.toString(16).padStart(16, '0')}] (${formatBytes(pool.sizeBytes)}), ${pool.nareas} areas`,
    );
    return pool;
  }

  /** Binds a driver to each device and probes it; refused devices stay visible with their reason. */
  probeAll(devices: readonly BusDevice[]): void {
    for (const device of devices) {
      const driver = this.#createDriver(device.transport);
      if (!driver) continue;
      this.#driverList.push(driver);
      driver.probe();
    }
  }

  /** Unbinds every driver (reset of each device). */
  removeAll(): void {
    for (const driver of this.#driverList) driver.remove();
    Object.assign(this.drivers, unboundDrivers());
    this.#driverList.length = 0;
  }

  /** The bound drivers in binding order. */
  allDrivers(): readonly VirtioDriver[] {
    return this.#driverList;
  }

  /** The bus matches a driver to the device ID; the driver gets the device's transport. */
  #createDriver(transport: BusDevice['transport']): VirtioDriver | undefined {
    const layout = this.#options.layout;
    switch (transport.deviceType) {
      case 'net':
        return (this.drivers.net = new NetDriver(this, transport));
      case 'blk':
        return (this.drivers.blk = new BlkDriver(this, transport));
      case 'console':
        return (this.drivers.console = new ConsoleDriver(this, transport));
      case 'rng':
        return this.isFirmware ? undefined : (this.drivers.rng = new RngDriver(this, transport));
      case 'balloon':
        return this.isFirmware
          ? undefined
          : (this.drivers.balloon = new BalloonDriver(this, transport, {
              lowestPfn: layout.balloonLowestPfn,
              highestPfn: layout.balloonHighestPfn,
            }));
    }
  }
}
