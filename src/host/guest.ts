import {GUEST_PAGE_SIZE, GuestMemory} from '../core/guest-memory.js';
import type {Rng} from '../core/rng.js';
import type {TimerHandle} from '../core/scheduler.js';
import {formatSize} from '../core/units.js';
import {BootTiming} from './boot-timing.js';
import type {DmaPolicy, GuestConfig, WorkloadConfig} from './config/world-schema.js';
import {GuestKernel} from './guest-kernel.js';
import {guestLayout, type GuestLayout} from './guest-layout.js';
import type {Host} from './host.js';
import {enterSecureMode} from './secure-lifecycle.js';
import type {SimContext} from './sim-context.js';
import type {SecurityPhase, SecurityState, VmState} from './snapshot-types.js';
import type {EsmFailureCode, Ticket} from './ultravisor.js';
import {createBackends} from './virtio/create-backends.js';
import type {VirtioBackend} from './virtio/backend.js';
import type {DiskStore} from './virtio/disk-store.js';
import type {VirtioDriver} from './virtio/driver.js';
import {Workload} from './workload.js';
import {GuestCheckers} from './checkers/guest-checkers.js';

export type CommandResult =
  {readonly ok: true; readonly message?: string} | {readonly ok: false; readonly reason: string};

/** Counters of drivers that were unbound (earlier boots), so device totals survive reboots. */
export interface DeviceTotals {
  completed: number;
  failed: number;
  integrityErrors: number;
}

const BOOTLOADER_CHUNK_BYTES = 64 * 1024;

/**
 * One virtual machine: its memory, its virtio devices (the hypervisor side), and the kernel
 * instance that runs in it. Owns the boot sequence and the reboot/secure/unsecure transitions.
 */
export class Guest {
  readonly name: string;
  readonly context: SimContext;
  readonly rng: Rng;
  config: GuestConfig;
  host: Host;
  memory: GuestMemory;
  readonly layout: GuestLayout;
  readonly image: Buffer;
  backends: VirtioBackend[];
  readonly disk: DiskStore | null;
  readonly checkers = new GuestCheckers();
  readonly deviceTotals: DeviceTotals[];
  readonly workload: Workload;
  kernel: GuestKernel | null = null;
  lpid: number;
  phase: SecurityPhase = 'firmware';
  securityState: SecurityState = 'normal';
  progress = 0;
  failure: string | null = null;
  isPaused = false;
  isHalted = false;
  /** True while a migration's stop-and-copy holds the vCPUs. */
  isStoppedForMigration = false;
  isMigrating = false;
  /** Auto-converge throttle, 0..0.99 of vCPU time taken away. */
  throttle = 0;
  bootCount = 0;
  #epoch = 0;
  #deferred: Array<() => void> = [];
  #secureHeldBytes = 0;

  constructor(context: SimContext, config: GuestConfig, host: Host, image: Buffer) {
    this.name = config.name;
    this.context = context;
    this.rng = context.rng.fork(`guest/${config.name}`);
    this.config = config;
    this.host = host;
    this.lpid = host.allocateLpid();
    this.layout = guestLayout(config);
    this.memory = new GuestMemory(config.memory);
    this.image = image;
    const created = createBackends(context, config, this.memory, {
      isDiscardInhibited: () => this.isProtected,
      checkers: this.checkers,
    });
    this.backends = created.backends;
    this.disk = created.disk;
    if (this.disk) {
      this.disk.write(0, image, 0, image.length);
      this.checkers.disk.recordContents(0, image);
    }
    this.deviceTotals = this.backends.map(() => ({completed: 0, failed: 0, integrityErrors: 0}));
    this.workload = new Workload(
      {
        context,
        rng: this.rng.fork('workload'),
        memory: () => this.memory,
        residentBytes: this.layout.residentBytes,
        throttle: () => this.throttle,
        guestTimer: (delayUs, work) => this.guestTimer(delayUs, work),
      },
      config.workload,
    );
  }

  get state(): VmState {
    if (this.isHalted) return 'halted';
    if (this.isPaused || this.isStoppedForMigration) return 'paused';
    if (this.isMigrating) return 'migrating';
    return this.phase === 'running' || this.phase === 'secure' ? 'running' : 'booting';
  }

  /** The VM's memory is protected: QEMU fences balloon discards for it. */
  get isProtected(): boolean {
    return this.securityState === 'secure' || this.securityState === 'transitioning';
  }

  get isSecure(): boolean {
    return this.securityState === 'secure';
  }

  get isRunning(): boolean {
    return this.phase === 'running' || this.phase === 'secure';
  }

  get ticket(): Ticket | null {
    return this.config.ticket;
  }

  /** Drivers of the current kernel, by backend index (undefined where none is bound). */
  driverFor(backend: VirtioBackend): VirtioDriver | undefined {
    return this.kernel?.allDrivers().find((driver) => driver.transport === backend.transport);
  }

  // ---- guest execution: timers that pause with the VM and die with a reboot ----

  guestTimer(delayUs: number, work: () => void): TimerHandle {
    const epoch = this.#epoch;
    return this.context.scheduler.after(delayUs, () => {
      if (epoch !== this.#epoch) return;
      this.runOnCpu(() => epoch === this.#epoch && work());
    });
  }

  /** Runs guest code now, or when the VM resumes. */
  runOnCpu(work: () => void): void {
    if (this.isPaused || this.isStoppedForMigration) this.#deferred.push(work);
    else work();
  }

  /** Runs what waited while the vCPUs were stopped; one-line simplification: waiting time is not replayed. */
  releaseDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const work of deferred) work();
  }

  // ---- boot ----

  start(): void {
    this.#coldBoot();
  }

  #newEpoch(): void {
    this.#epoch++;
    this.#deferred = [];
  }

  #coldBoot(): void {
    this.#newEpoch();
    this.bootCount++;
    this.isHalted = false;
    this.securityState = 'normal';
    this.setPhase('firmware', 0);
    this.memory.populate(0, this.layout.residentBytes / GUEST_PAGE_SIZE);
    this.context.emit(
      this.name,
      'boot',
      'info',
      `SLOF: booting on ${this.host.name} (svm=${this.config.svm ? 'on' : 'off'}, dmaPolicy ${this.config.dmaPolicy})`,
    );
    const firmware = this.#createKernel(true);
    this.kernel = firmware;
    firmware.probeAll(
      this.backends.filter((backend) => backend.type === 'blk' || backend.type === 'console'),
    );
    firmware.drivers.console?.write(
      'SLOF **********************************************************************',
    );
    firmware.drivers.blk?.submitIo({isWrite: false, offsetBytes: 0, lengthBytes: 4096});
    this.guestTimer(BootTiming.firmwareUs, () => this.#bootloader(firmware));
  }

  #bootloader(firmware: GuestKernel): void {
    this.setPhase('bootloader', 0);
    const finish = (): void => {
      this.guestTimer(BootTiming.bootloaderUs, () => {
        this.#retireKernel(firmware);
        this.#startKernel();
      });
    };
    const blk = firmware.drivers.blk;
    if (!blk?.isReady) {
      firmware.view.write(this.layout.imageLoadGpa, this.image, 0, this.image.length); // QEMU -kernel
      finish();
      return;
    }
    const loadChunk = (offset: number): void => {
      if (offset >= this.image.length) {
        this.context.emit(
          this.name,
          'boot',
          'info',
          `bootloader: loaded ${this.config.image.kernel} (${formatSize(this.image.length)}) from virtio-blk`,
        );
        finish();
        return;
      }
      const length = Math.min(BOOTLOADER_CHUNK_BYTES, this.image.length - offset);
      const lengthBytes = Math.ceil(length / 4096) * 4096;
      const result = blk.submitIo({
        isWrite: false,
        offsetBytes: offset,
        lengthBytes,
        onReadData: (gpa) => firmware.view.copy(this.layout.imageLoadGpa + offset, gpa, length),
        onComplete: (isOk) =>
          isOk
            ? loadChunk(offset + length)
            : this.#halt('bootloader', `cannot read ${this.config.image.kernel} from virtio-blk`),
      });
      if (result === 'retry') this.guestTimer(1_000, () => loadChunk(offset));
    };
    loadChunk(0);
  }

  #startKernel(): void {
    this.setPhase('kernel', 0);
    const kernel = this.#createKernel(false);
    this.kernel = kernel;
    this.context.emit(
      this.name,
      'boot',
      'info',
      `Linux: booting ${this.config.image.kernel} with svm=${this.config.svm ? 'on' : 'off'}${this.config.swiotlb.force ? ' swiotlb=force' : ''}`,
    );
    this.guestTimer(BootTiming.kernelEarlyUs, () => {
      if (this.config.svm) {
        this.securityState = 'transitioning';
        enterSecureMode(this.#secureTarget(kernel));
        return;
      }
      if (this.config.swiotlb.force) kernel.createSwiotlb();
      this.setPhase('probe', 0);
      kernel.probeAll(this.backends);
      this.guestTimer(BootTiming.probeUs, () => this.#running());
    });
  }

  #running(): void {
    const kernel = this.kernel;
    if (!kernel) return;
    this.setPhase(this.isSecure ? 'secure' : 'running', 1);
    this.context.emit(
      this.name,
      'state',
      'info',
      `running${this.isSecure ? ' secure' : ''} on ${this.host.name}`,
    );
    this.workload.start(kernel);
  }

  #secureTarget(kernel: GuestKernel) {
    return {
      name: this.name,
      context: this.context,
      host: this.host,
      memory: this.memory,
      kernel,
      ticket: this.ticket,
      imageLoadGpa: this.layout.imageLoadGpa,
      imageBytes: this.image.length,
      lpid: this.lpid,
      setPhase: (phase: SecurityPhase, progress: number) => this.setPhase(phase, progress),
      guestTimer: (delayUs: number, work: () => void) => this.guestTimer(delayUs, work),
      sharing: {
        share: (firstPfn: number, count: number) => this.host.ultravisor?.share(this.memory, firstPfn, count),
        unshare: (firstPfn: number, count: number) =>
          this.host.ultravisor?.unshare(this.memory, firstPfn, count),
      },
      holdSecureMemory: (bytes: number) => (this.#secureHeldBytes = bytes),
      probeDevices: () => kernel.probeAll(this.backends),
      onSecure: () => {
        this.securityState = 'secure';
        if (this.config.launchSecurity === 'none') {
          this.context.emit(
            this.name,
            'undeclared-secure',
            'warning',
            'went secure but is declared launchSecurity: none; management will treat it as a normal VM (balloon, migration)',
          );
        }
        this.#running();
      },
      onFailure: (code: EsmFailureCode, reason: string) => {
        this.context.emit(this.name, 'esm', 'error', `UV: ${reason}`);
        this.context.emit(this.name, 'esm', 'error', `Returned ${code} from switching to secure mode.`);
        this.context.emit(this.name, 'esm', 'error', 'Switch to secure mode failed.');
        this.failure = `${code}: ${reason}`;
        this.#halt('os-term', 'Switch to secure mode failed.');
        this.securityState = 'failed';
      },
    };
  }

  setPhase(phase: SecurityPhase, progress: number): void {
    this.phase = phase;
    this.progress = progress;
  }

  #createKernel(isFirmware: boolean): GuestKernel {
    return new GuestKernel({
      context: this.context,
      vm: this.name,
      memory: this.memory,
      layout: this.layout,
      vcpus: this.config.vcpus,
      policy: this.config.dmaPolicy,
      isSwiotlbForced: this.config.swiotlb.force,
      bootCount: this.bootCount,
      isFirmware,
      checkers: this.checkers,
      runOnCpu: (work) => this.runOnCpu(work),
      guestTimer: (delayUs, work) => this.guestTimer(delayUs, work),
    });
  }

  /** Unbinds a kernel's drivers, folding their counters into the device totals. */
  #retireKernel(kernel: GuestKernel): void {
    for (const driver of kernel.allDrivers()) {
      const index = driver.deviceIndex;
      const totals = this.deviceTotals[index];
      driver.remove();
      if (totals) {
        totals.completed += driver.completed;
        totals.failed += driver.failed;
        totals.integrityErrors += driver.integrityErrors;
      }
    }
    kernel.removeAll();
    if (this.kernel === kernel) this.kernel = null;
  }

  /** Stops the VM for good (until a reboot): os-term, a crash, a failed boot. */
  #halt(where: string, message: string): void {
    this.workload.stop();
    if (this.kernel) this.#retireKernel(this.kernel);
    this.#terminateSecure();
    this.#newEpoch();
    this.isHalted = true;
    this.setPhase('halted', 0);
    this.context.emit(this.name, 'state', 'error', `halted (${where}): ${message}`);
  }

  /** UV_SVM_TERMINATE: pages back to normal and scrubbed, secure memory returned. */
  #terminateSecure(): void {
    const ultravisor = this.host.ultravisor;
    if (this.securityState === 'normal' && this.#secureHeldBytes === 0) return;
    if (ultravisor) {
      ultravisor.terminate(this.memory);
      ultravisor.release(this.#secureHeldBytes);
      if (this.#secureHeldBytes > 0)
        this.context.emit(
          this.name,
          'security',
          'info',
          `UV_SVM_TERMINATE: ${formatSize(this.#secureHeldBytes)} of secure memory released`,
        );
    }
    this.#secureHeldBytes = 0;
    this.securityState = 'normal';
  }

  get secureHeldBytes(): number {
    return this.#secureHeldBytes;
  }

  // ---- commands ----

  pause(): CommandResult {
    if (this.isHalted) return {ok: false, reason: `${this.name} is halted; reboot it first`};
    if (this.isPaused) return {ok: false, reason: `${this.name} is already paused`};
    this.isPaused = true;
    this.context.emit(this.name, 'state', 'info', 'paused');
    return {ok: true};
  }

  resume(): CommandResult {
    if (!this.isPaused) return {ok: false, reason: `${this.name} is not paused`};
    this.isPaused = false;
    this.context.emit(this.name, 'state', 'info', 'resumed');
    if (!this.isStoppedForMigration) this.releaseDeferred();
    return {ok: true};
  }

  /** A graceful reboot that keeps the current `svm=` setting. */
  reboot(): CommandResult {
    if (this.isMigrating)
      return {ok: false, reason: `${this.name} is migrating; cancel the migration first (c)`};
    if (this.isPaused) {
      this.isPaused = false;
      this.context.emit(this.name, 'state', 'info', 'resumed for reboot');
    }
    this.#shutdownThen(() => this.#coldBoot(), 'reboot');
    return {ok: true};
  }

  secure(): CommandResult {
    if (this.isMigrating)
      return {ok: false, reason: `${this.name} is migrating; cancel the migration first (c)`};
    if (this.securityState === 'secure') return {ok: false, reason: `${this.name} is already secure`};
    if (this.securityState === 'transitioning')
      return {ok: false, reason: `${this.name} is already entering secure mode (${this.phase})`};
    this.config = {...this.config, svm: true};
    if (this.isHalted) {
      this.#coldBoot();
      return {ok: true, message: 'svm=on set; booting'};
    }
    if (!this.isRunning) return {ok: true, message: 'svm=on set; this boot will enter secure mode'};
    this.#shutdownThen(() => {
      this.#newEpoch();
      this.bootCount++;
      this.context.emit(this.name, 'boot', 'info', 'kexec: rebooting into the kernel with svm=on');
      this.#startKernel();
    }, 'kexec');
    return {ok: true, message: 'svm=on set; kexec into the secure kernel'};
  }

  unsecure(): CommandResult {
    if (this.isMigrating)
      return {ok: false, reason: `${this.name} is migrating; cancel the migration first (c)`};
    if (!this.config.svm && this.securityState === 'normal')
      return {ok: false, reason: `${this.name} is already normal (svm=off)`};
    this.config = {...this.config, svm: false};
    return this.reboot();
  }

  setDmaPolicy(policy: DmaPolicy): CommandResult {
    if (policy === this.config.dmaPolicy) return {ok: false, reason: `dmaPolicy is already ${policy}`};
    this.config = {...this.config, dmaPolicy: policy};
    this.context.emit(
      this.name,
      'config',
      'info',
      `dmaPolicy set to ${policy}; takes effect at the next boot`,
    );
    return {ok: true, message: `dmaPolicy ${policy} takes effect at the next boot (r)`};
  }

  setWorkload(workload: WorkloadConfig): CommandResult {
    this.config = {...this.config, workload};
    this.workload.setConfig(workload);
    this.context.emit(this.name, 'config', 'info', `workload set to ${workload.profile}`);
    return {ok: true};
  }

  /** A guest kernel panic (fault injection): the VM stops, secure memory is given back. */
  crash(message: string): CommandResult {
    if (this.isHalted) return {ok: false, reason: `${this.name} is already halted`};
    this.context.emit(this.name, 'panic', 'error', `Kernel panic - not syncing: ${message}`);
    this.#halt('panic', message);
    return {ok: true};
  }

  /** Destroys the VM (removed from the config): nothing of it keeps running. */
  destroy(): void {
    this.workload.stop();
    if (this.kernel) this.#retireKernel(this.kernel);
    this.#terminateSecure();
    for (const backend of this.backends) backend.quiesce();
    this.#newEpoch();
    this.isHalted = true;
  }

  /** Stops the workload, waits (bounded) for in-flight I/O, unbinds drivers, terminates the secure VM. */
  #shutdownThen(next: () => void, why: string): void {
    this.workload.stop();
    this.#newEpoch();
    this.setPhase('shutdown', 0);
    this.context.emit(this.name, 'state', 'info', `${why}: shutting down`);
    const kernel = this.kernel;
    const startUs = this.context.scheduler.nowUs;
    const finish = (): void => {
      if (kernel) this.#retireKernel(kernel);
      this.#terminateSecure();
      next();
    };
    const poll = (): void => {
      const inFlight = kernel?.allDrivers().reduce((sum, driver) => sum + driver.inFlight, 0) ?? 0;
      if (inFlight === 0 || this.context.scheduler.nowUs - startUs >= BootTiming.drainLimitUs) finish();
      else this.guestTimer(BootTiming.drainPollUs, poll);
    };
    if (this.isHalted) finish();
    else poll();
  }

  /** Switch-over of a migration: the guest continues on the target's memory, devices and host. */
  adoptTarget(memory: GuestMemory, backends: VirtioBackend[], host: Host): void {
    const drivers = this.kernel?.allDrivers() ?? [];
    for (const driver of drivers) {
      const replacement = backends[driver.deviceIndex];
      if (replacement) driver.rebindTransport(replacement.transport);
    }
    for (const backend of this.backends) backend.quiesce();
    this.memory = memory;
    this.backends = backends;
    if (host !== this.host) this.lpid = host.allocateLpid();
    this.host = host;
    this.kernel?.rebindMemory(memory);
  }
}
