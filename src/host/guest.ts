import {invariantBroken} from '../core/assert.js';
import {GuestMemory} from '../core/guest-memory.js';
import type {Rng} from '../core/rng.js';
import type {TimerHandle} from '../core/scheduler.js';
import type {GuestConfig, WorkloadConfig} from './config/world-schema.js';
import {GuestCheckers} from './checkers/guest-checkers.js';
import {GuestCpu} from './guest-cpu.js';
import type {DeviceTotals, GuestEnvironment, GuestRuntime} from './guest-runtime.js';
import {GuestDevices} from './guest-devices.js';
import {executeEffect} from './guest-effects.js';
import type {GuestKernel} from './guest-kernel.js';
import {guestLayout, type GuestLayout} from './guest-layout.js';
import type {Host} from './host.js';
import {hasConfidentialGuestSupport} from './machine.js';
import {MIGRATION_DEFAULTS, type MigrationParams} from './migration/migration-params.js';
import {
  initialLifecycle,
  isProtectedOf,
  progressOf,
  securityPhaseOf,
  securityStateOf,
  vmStateOf,
  type CheckedResult,
  type Lifecycle,
  type LifecycleCommand,
  type LifecycleEvent,
  type Transition,
} from './lifecycle/lifecycle.js';
import {transition} from './lifecycle/transition.js';
import {stopOnRefusedPageIn} from './refused-page-in.js';
import type {SimContext} from './sim-context.js';
import type {SecurityPhase, SecurityState, VmState} from './snapshot-types.js';
import type {SecureHolder, Ticket} from './ultravisor.js';
import type {VirtioBackend} from './virtio/backend.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';
import type {DiskStore} from './virtio/disk-store.js';
import type {VirtioDriver} from './virtio/driver.js';
import {Workload} from './workload.js';

export type {CheckedResult, CommandResult} from './lifecycle/lifecycle.js';
export type {DeviceTotals, GuestEnvironment} from './guest-runtime.js';

/** The auto-converge throttle's ceiling (`max-cpu-throttle`, 99%). */
export const THROTTLE_MAX = 0.99;

/**
 * One virtual machine: its memory, its virtio devices (the hypervisor side) and the kernel that
 * runs in it. Its lifecycle is decided by `transition` (src/host/lifecycle); the guest carries
 * out the effects: timers, kernels, the ultravisor's calls.
 */
export class Guest implements GuestRuntime {
  readonly name: string;
  readonly context: SimContext;
  readonly rng: Rng;
  readonly layout: GuestLayout;
  readonly image: Buffer;
  readonly checkers = new GuestCheckers();
  readonly workload: Workload;
  readonly cpu: GuestCpu;
  readonly environment: GuestEnvironment;
  /** How the ultravisor knows this guest's secure memory. */
  readonly secureHolder: SecureHolder;
  /**
   * QEMU runs the VM with confidential-guest-support (a pef-guest object), decided when the
   * machine is created and kept for its life, migration included (the destination QEMU is started
   * with the same options): see `hasConfidentialGuestSupport`.
   */
  readonly hasConfidentialGuestSupport: boolean;
  kernel: GuestKernel | null = null;
  #migrationParams: MigrationParams = MIGRATION_DEFAULTS;
  #config: GuestConfig;
  #host: Host;
  #lpid: number;
  #memory: GuestMemory;
  readonly #devices: GuestDevices;
  #lifecycle: Lifecycle;
  #throttle = 0;

  constructor(
    context: SimContext,
    config: GuestConfig,
    host: Host,
    image: Buffer,
    environment: GuestEnvironment,
  ) {
    this.name = config.name;
    this.context = context;
    this.environment = environment;
    this.secureHolder = {kind: 'guest', vm: config.name};
    this.rng = context.rng.fork(`guest/${config.name}`);
    this.#config = config;
    this.#host = host;
    this.#lpid = host.allocateLpid();
    this.layout = guestLayout(config);
    this.#memory = new GuestMemory(config.memory, this.rng.fork('uv-page-out').nextUint32());
    stopOnRefusedPageIn(this.#memory, this);
    this.image = image;
    this.#lifecycle = initialLifecycle(config.name, {svm: config.svm, dmaPolicy: config.dmaPolicy});
    this.cpu = new GuestCpu(context.scheduler, () => this.#lifecycle.vcpu.kind !== 'running');
    this.hasConfidentialGuestSupport = hasConfidentialGuestSupport(config.launchSecurity, host);
    this.#devices = new GuestDevices(context, config, this.#memory, image, {
      isAccessPlatformForced: this.hasConfidentialGuestSupport,
      checkers: this.checkers,
    });
    this.workload = new Workload(
      {
        context,
        rng: this.rng.fork('workload'),
        memory: () => this.#memory,
        residentBytes: this.layout.residentBytes,
        throttle: () => this.#throttle,
        guestTimer: (delayUs, work) => this.guestTimer(delayUs, work),
        guestTimerAgain: (timer, delayUs) => this.cpu.again(timer, delayUs),
      },
      config.workload,
    );
  }

  // ---- what the guest is (read-only views of its lifecycle and placement) ----

  get lifecycle(): Lifecycle {
    return this.#lifecycle;
  }

  /** The guest's definition with its live settings (`svm`, `dmaPolicy`, workload) applied. */
  get config(): GuestConfig {
    return this.#config;
  }

  get host(): Host {
    return this.#host;
  }

  get lpid(): number {
    return this.#lpid;
  }

  get memory(): GuestMemory {
    return this.#memory;
  }

  get backends(): readonly VirtioBackend[] {
    return this.#devices.backends;
  }

  get balloonBackend(): BalloonBackend | undefined {
    return this.#devices.balloon;
  }

  get disk(): DiskStore | null {
    return this.#devices.disk;
  }

  get deviceTotals(): readonly DeviceTotals[] {
    return this.#devices.totals;
  }

  get state(): VmState {
    return vmStateOf(this.#lifecycle);
  }

  get securityState(): SecurityState {
    return securityStateOf(this.#lifecycle);
  }

  get phase(): SecurityPhase {
    return securityPhaseOf(this.#lifecycle);
  }

  get progress(): number {
    return progressOf(this.#lifecycle);
  }

  /** The VM's memory is protected: QEMU fences balloon discards for it. */
  get isProtected(): boolean {
    return isProtectedOf(this.#lifecycle);
  }

  /** The ultravisor holds the guest: from H_SVM_INIT_START until UV_SVM_TERMINATE. */
  get isSecure(): boolean {
    return this.#lifecycle.isSvm;
  }

  get isHalted(): boolean {
    return this.#lifecycle.stage.kind === 'halted';
  }

  get bootCount(): number {
    return this.#lifecycle.bootCount;
  }

  /** Auto-converge's share of vCPU time taken away, 0..0.99. */
  get throttle(): number {
    return this.#throttle;
  }

  get ticket(): Ticket | null {
    return this.#config.ticket;
  }

  /** Migration parameters and capabilities: one set per QEMU, so a recreated VM has the defaults
   * (simplified: kept after a completed migration, where a real destination QEMU has its own). */
  get migrationParams(): MigrationParams {
    return this.#migrationParams;
  }

  /** Secure memory the host's ultravisor holds for this guest. */
  get secureHeldBytes(): number {
    return this.#host.ultravisor?.heldBy(this.secureHolder) ?? 0;
  }

  /** The bound driver of a device, if any. */
  driverFor(backend: VirtioBackend): VirtioDriver | undefined {
    return this.kernel?.allDrivers().find((driver) => driver.transport === backend.transport);
  }

  guestTimer(delayUs: number, work: () => void): TimerHandle {
    return this.cpu.timer(delayUs, work);
  }

  // ---- the lifecycle: one function decides, the guest carries out ----

  /** Answers a command as `dispatch` would, changing nothing (for views that ask first). */
  check(command: LifecycleCommand): CheckedResult {
    return this.plan(command).result;
  }

  /** What `dispatch` would decide for a command (answer, next lifecycle, effects), changing nothing. */
  plan(command: LifecycleCommand): Transition {
    return transition(this.#lifecycle, command);
  }

  /** Applies a command or event: the transition decides, then its effects run in order. */
  dispatch(event: LifecycleEvent): CheckedResult {
    const previous = this.#lifecycle;
    const {next, effects, result} = transition(previous, event);
    this.#lifecycle = next;
    if (next.settings !== previous.settings) this.#config = {...this.#config, ...next.settings};
    for (const effect of effects) executeEffect(this, effect);
    return result;
  }

  start(): void {
    this.dispatch({type: 'power-on'});
  }

  /** Destroys the VM (removed from the config): nothing of it keeps running. */
  destroy(): void {
    this.dispatch({type: 'destroy'});
  }

  // ---- changes that are not lifecycle steps ----

  /** Records the workload the guest now runs (the effect of `set-workload`). */
  applyWorkload(workload: WorkloadConfig): void {
    this.#config = {...this.#config, workload};
    this.workload.setConfig(workload);
  }

  /** A live config change: settings through the lifecycle (`launchSecurity` is fixed at creation: it recreates the guest). */
  applyLiveConfig(config: GuestConfig, changedFields: readonly (keyof GuestConfig)[]): void {
    if (changedFields.includes('workload')) this.dispatch({type: 'set-workload', workload: config.workload});
    if (changedFields.includes('dmaPolicy')) this.dispatch({type: 'set-policy', policy: config.dmaPolicy});
    if (changedFields.includes('svm')) this.dispatch({type: 'set-svm', svm: config.svm});
  }

  /** Stores checked, accepted parameters: only command-dispatch.ts `withParams` calls it. */
  storeMigrationParams(params: MigrationParams): void {
    this.#migrationParams = params;
  }

  /** Auto-converge sets the share of vCPU time it takes away. */
  setThrottle(throttle: number): void {
    if (!(throttle >= 0 && throttle <= THROTTLE_MAX))
      invariantBroken(`guest ${this.name}: throttle ${throttle} outside 0..${THROTTLE_MAX}`);
    this.#throttle = throttle;
  }

  /** Switch-over of a migration: the guest continues on the target's memory, devices and host. */
  adoptTarget(memory: GuestMemory, backends: VirtioBackend[], host: Host): void {
    if (this.#lifecycle.vcpu.kind !== 'stopped-for-migration' && memory !== this.#memory)
      invariantBroken(`guest ${this.name}: memory replaced while its vCPUs run`);
    for (const driver of this.kernel?.allDrivers() ?? []) {
      const replacement = backends[driver.deviceIndex];
      if (replacement) driver.rebindTransport(replacement.transport);
    }
    this.#devices.replace(backends, this.name);
    this.#memory = memory;
    stopOnRefusedPageIn(memory, this);
    if (host !== this.#host) this.#lpid = host.allocateLpid();
    this.#host = host;
    this.kernel?.rebindMemory(memory);
  }
}
