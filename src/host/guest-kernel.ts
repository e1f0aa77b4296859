import {GUEST_PAGE_SIZE, type GuestMemory} from '../core/guest-memory.js';
import {MemoryView} from '../core/memory-view.js';
import {RangeAllocator} from '../core/range-allocator.js';
import {RateLimiter} from '../core/rate-limit.js';
import {IO_TLB_SIZE, SwiotlbPool, swiotlbFullMessage} from '../core/swiotlb.js';
import {formatSize} from '../core/units.js';
import type {DmaPolicy} from './config/world-schema.js';
import type {PageSharing} from './dma-ops.js';
import type {GuestLayout} from './guest-layout.js';
import type {SimContext} from './sim-context.js';
import type {VirtioBackend} from './virtio/backend.js';
import {BalloonDriver} from './virtio/balloon-driver.js';
import {BlkDriver} from './virtio/blk-driver.js';
import {ConsoleDriver} from './virtio/console-driver.js';
import type {KernelServices} from './virtio/driver.js';
import type {VirtioDriver} from './virtio/driver.js';
import {NetDriver} from './virtio/net-driver.js';
import {RngDriver} from './virtio/rng-driver.js';
import type {DiskShadow} from './disk-shadow.js';

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
  readonly diskShadow: DiskShadow;
  /** Runs guest code on a vCPU: deferred while the VM is paused. */
  readonly runOnCpu: (work: () => void) => void;
}

/** The drivers a kernel has bound, by device type. */
export interface BoundDrivers {
  net?: NetDriver;
  blk?: BlkDriver;
  console?: ConsoleDriver;
  rng?: RngDriver;
  balloon?: BalloonDriver;
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
  readonly drivers: BoundDrivers = {};
  readonly #options: GuestKernelOptions;
  readonly #warnLimiter = new RateLimiter();
  isSecure = false;
  swiotlb: SwiotlbPool | null = null;
  sharing: PageSharing | undefined;
  #cpu = 0;

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
  }

  /** vCPUs take turns submitting I/O, which spreads mappings over swiotlb areas. */
  /** After migration the same kernel runs on the target's copy of memory. */
  rebindMemory(memory: GuestMemory): void {
    this.view.memory = memory;
  }

  runOnCpu(work: () => void): void {
    this.#options.runOnCpu(work);
  }

  currentCpu(): number {
    this.#cpu = (this.#cpu + 1) % this.#options.vcpus;
    return this.#cpu;
  }

  warnSwiotlbFull(device: string, sizeBytes: number): void {
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
      `software IO TLB: mapped [mem 0x${layout.swiotlbStartGpa.toString(16).padStart(16, '0')}-0x${end.toString(16).padStart(16, '0')}] (${formatSize(pool.sizeBytes)}), ${pool.nareas} areas`,
    );
    return pool;
  }

  /** Binds a driver to each device and probes it; refused devices stay visible with their reason. */
  probeAll(backends: readonly VirtioBackend[]): void {
    for (const backend of backends) {
      const driver = this.#createDriver(backend);
      driver?.probe();
    }
  }

  /** Unbinds every driver (reset of each device). */
  removeAll(): void {
    for (const driver of this.allDrivers()) driver.remove();
    for (const key of Object.keys(this.drivers)) delete this.drivers[key as keyof BoundDrivers];
  }

  allDrivers(): VirtioDriver[] {
    return Object.values(this.drivers) as VirtioDriver[];
  }

  #createDriver(backend: VirtioBackend): VirtioDriver | undefined {
    const layout = this.#options.layout;
    switch (backend.type) {
      case 'net':
        return (this.drivers.net = new NetDriver(this, backend));
      case 'blk':
        return (this.drivers.blk = new BlkDriver(this, backend, this.#options.diskShadow));
      case 'console':
        return (this.drivers.console = new ConsoleDriver(this, backend));
      case 'rng':
        return this.isFirmware ? undefined : (this.drivers.rng = new RngDriver(this, backend));
      case 'balloon':
        return this.isFirmware
          ? undefined
          : (this.drivers.balloon = new BalloonDriver(this, backend, {
              lowestPfn: layout.balloonLowestPfn,
              highestPfn: layout.balloonHighestPfn,
            }));
    }
  }
}
