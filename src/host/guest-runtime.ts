import type {GuestMemory} from '../core/guest-memory.js';
import type {TimerHandle} from '../core/scheduler.js';
import type {GuestConfig, WorkloadConfig} from './config/world-schema.js';
import type {GuestCheckers} from './checkers/guest-checkers.js';
import type {GuestCpu} from './guest-cpu.js';
import type {GuestKernel} from './guest-kernel.js';
import type {GuestLayout} from './guest-layout.js';
import type {Host} from './host.js';
import type {CheckedResult, Lifecycle, LifecycleEvent} from './lifecycle/lifecycle.js';
import type {SimContext} from './sim-context.js';
import type {SecureHolder, Ticket} from './ultravisor.js';
import type {VirtioBackend} from './virtio/backend.js';
import type {Workload} from './workload.js';

/**
 * Counters of drivers that were unbound (earlier boots) and of devices a migration left on the
 * other host, so a device's totals count the VM's whole life: reboots and migrations included.
 */
export interface DeviceTotals {
  completed: number;
  failed: number;
  integrityErrors: number;
  bytesToDevice: number;
  bytesFromDevice: number;
  faults: number;
}

/** What a guest asks of the world it lives in. */
export interface GuestEnvironment {
  /** The lifecycle decided that the guest's migration cannot go on (its security changed). */
  failMigration(guest: GuestRuntime, errorDesc: string): void;
}

/** What the effect executors (boot, shutdown, halt, the secure transition) work on: a `Guest`. */
export interface GuestRuntime {
  readonly name: string;
  readonly context: SimContext;
  readonly config: GuestConfig;
  readonly host: Host;
  readonly lpid: number;
  readonly memory: GuestMemory;
  readonly layout: GuestLayout;
  readonly image: Buffer;
  readonly backends: readonly VirtioBackend[];
  readonly deviceTotals: readonly DeviceTotals[];
  readonly checkers: GuestCheckers;
  readonly workload: Workload;
  readonly cpu: GuestCpu;
  readonly environment: GuestEnvironment;
  readonly secureHolder: SecureHolder;
  /** QEMU runs the VM with confidential guest support (a pef-guest object). */
  readonly hasConfidentialGuestSupport: boolean;
  readonly secureHeldBytes: number;
  readonly ticket: Ticket | null;
  readonly isSecure: boolean;
  readonly lifecycle: Lifecycle;
  readonly bootCount: number;
  kernel: GuestKernel | null;
  dispatch(event: LifecycleEvent): CheckedResult;
  guestTimer(delayUs: number, work: () => void): TimerHandle;
  applyWorkload(workload: WorkloadConfig): void;
}
