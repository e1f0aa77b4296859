import type {DmaPolicy, WorkloadConfig} from '../config/world-schema.js';
import type {SecurityPhase, SecurityState, VmState} from '../snapshot-types.js';
import type {EsmFailureCode} from '../ultravisor.js';

/** Boot before the kernel runs its own code: SLOF, the bootloader, then the kernel up to probe. */
export type BootStep = 'firmware' | 'bootloader' | 'kernel' | 'probe';
/** prom_init's `setup_secure_guest` and what follows it, in the ultravisor's and KVM's words. */
export type SecureStep = 'esm' | 'verify' | 'convert' | 'init-done' | 'swiotlb' | 'reprobe';
/** What a graceful shutdown turns into once in-flight I/O drained. */
export type ShutdownNext = 'cold-boot' | 'kexec' | 'power-off';
/**
 * Why the guest stopped. `shutdown`: it powered itself off when asked (a graceful power-off);
 * `power-off`: the host cut its power (an immediate one); `internal-error`: KVM_RUN failed (a
 * page-in the ultravisor refused), as QEMU's `kvm_cpu_exec` stops the VM.
 */
export type HaltCause =
  'os-term' | 'panic' | 'bootloader' | 'destroyed' | 'shutdown' | 'power-off' | 'internal-error';

/** Where the guest is in its life; exactly one at a time. */
export type Stage =
  /** Created, not powered on yet (World.start or a live reload powers it on). */
  | {readonly kind: 'off'}
  /** `kernelSvm` is the `svm=` the running kernel was started with; null before the kernel runs. */
  | {readonly kind: 'booting'; readonly step: BootStep; readonly kernelSvm: boolean | null}
  | {readonly kind: 'entering-secure'; readonly step: SecureStep; readonly progress: number}
  | {readonly kind: 'running'}
  /** `waitsIn`: asked for while the vCPUs were stopped; nothing of it started, the guest is still in this phase. */
  | {readonly kind: 'shutting-down'; readonly next: ShutdownNext; readonly waitsIn?: SecurityPhase}
  | {readonly kind: 'halted'; readonly cause: HaltCause};

/** The vCPUs, apart from the guest's stage: QEMU's RUN_STATE_RUNNING, PAUSED, FINISH_MIGRATE. */
export type Vcpu =
  | {readonly kind: 'running'}
  /** `isHeldAfterReset`: reset while not running, held before the firmware (QEMU's prelaunch). */
  | {readonly kind: 'paused'; readonly isHeldAfterReset?: boolean}
  /** Stop-and-copy holds the vCPUs; `isPausedAfter` is a user's pause that outlives it. */
  | {readonly kind: 'stopped-for-migration'; readonly isPausedAfter: boolean};

/** Settings that apply at the next boot (the kernel command line's `svm=`, the kernel's DMA policy). */
export interface NextBootSettings {
  readonly svm: boolean;
  readonly dmaPolicy: DmaPolicy;
}

export interface EsmFailure {
  readonly code: EsmFailureCode;
  readonly reason: string;
}

export interface Lifecycle {
  /** The VM's name, for the messages the lifecycle writes. */
  readonly name: string;
  readonly stage: Stage;
  readonly vcpu: Vcpu;
  /** The ultravisor holds the guest (H_SVM_INIT_START done, UV_SVM_TERMINATE not yet). */
  readonly isSvm: boolean;
  readonly isMigrating: boolean;
  readonly settings: NextBootSettings;
  /** Why the last secure transition failed; kept after later boots (the snapshot's `failure`). */
  readonly lastFailure: EsmFailure | null;
  /** Boots so far, kexec included (kernel instances are numbered by it). */
  readonly bootCount: number;
  /** A system_powerdown's EPOW queued before the kernel could take it (power-off.ts settleEpow). */
  readonly isEpowPending?: boolean;
}

/** Machine-readable reasons a command is refused (beside the human message). */
export type RefusalCode =
  | 'no-such-vm'
  | 'no-such-host'
  | 'halted'
  | 'already-halted'
  | 'already-paused'
  | 'not-paused'
  | 'migrating'
  | 'migration-cancelling'
  | 'not-migrating'
  | 'stop-and-copy'
  | 'entering-secure'
  | 'already-secure'
  | 'svm-already-set'
  | 'already-normal'
  | 'same-policy'
  | 'migration-blocked'
  | 'bad-parameter'
  | 'no-change'
  | 'no-balloon'
  | 'balloon-refused'
  | 'balloon-broken'
  | 'memory-protected'
  | 'fault-not-applicable';

export type CommandResult =
  | {readonly ok: true; readonly message?: string}
  | {readonly ok: false; readonly reason: string; readonly code?: RefusalCode};

/** What the host answers: refusals always carry their code. */
export type CheckedResult =
  | {readonly ok: true; readonly message?: string}
  | {readonly ok: false; readonly reason: string; readonly code: RefusalCode};

/** Commands from management (keys, scenarios, QMP, live config). */
export type LifecycleCommand =
  | {readonly type: 'pause'}
  | {readonly type: 'resume'}
  | {readonly type: 'reboot'}
  /** QEMU's system_reset: a reboot that leaves stopped vCPUs stopped (`reboot` resumes them). */
  | {readonly type: 'reset'}
  | {readonly type: 'secure'}
  | {readonly type: 'unsecure'}
  | {readonly type: 'set-policy'; readonly policy: DmaPolicy}
  | {readonly type: 'set-workload'; readonly workload: WorkloadConfig}
  | {readonly type: 'set-svm'; readonly svm: boolean}
  | {readonly type: 'crash'; readonly message: string}
  /** Graceful: the guest is asked to shut down (QEMU's system_powerdown); immediate: QEMU's quit. */
  | {readonly type: 'power-off'; readonly isGraceful: boolean}
  /** The lifecycle's part of `migrate` (the cluster's part is the migration blockers). */
  | {readonly type: 'migrate'}
  /** The lifecycle's part of `balloon` (the device's part is the balloon policy). */
  | {readonly type: 'balloon'};

/** What the guest itself and its timers report. */
export type GuestEvent =
  | {readonly type: 'power-on'}
  | {readonly type: 'firmware-done'}
  | {readonly type: 'bootloader-done'}
  | {readonly type: 'kernel-early'}
  | {readonly type: 'probe-done'}
  | {readonly type: 'boot-failed'; readonly message: string}
  | {readonly type: 'secure-step'; readonly step: SecureStep; readonly progress: number}
  | {readonly type: 'svm-init-start'}
  | {readonly type: 'esm-done'}
  | {readonly type: 'esm-failed'; readonly failure: EsmFailure}
  /** KVM_RUN failed (a page-in the ultravisor refused): QEMU stops the VM in RUN_STATE_INTERNAL_ERROR. */
  | {readonly type: 'vcpu-failed'; readonly message: string}
  | {readonly type: 'drained'}
  | {readonly type: 'destroy'};

/** What a migration reports about the guest it moves. */
export type MigrationEvent =
  | {readonly type: 'migration-started'}
  | {readonly type: 'migration-stop-vcpus'}
  /** Completed, failed or cancelled: the vCPUs run again (where the guest now is) unless it is going. */
  | {readonly type: 'migration-ended'; readonly isGuestGoing: boolean};

export type LifecycleEvent = LifecycleCommand | GuestEvent | MigrationEvent;

/** What the guest must carry out, in order, after a transition. */
export type Effect =
  | {
      readonly kind: 'log';
      readonly eventKind: string;
      readonly severity: 'info' | 'warning' | 'error';
      readonly message: string;
    }
  | {readonly kind: 'cold-boot'}
  | {readonly kind: 'run-bootloader'}
  | {readonly kind: 'start-kernel'; readonly isKexec: boolean}
  | {readonly kind: 'enter-secure-mode'}
  | {readonly kind: 'probe-devices'}
  | {readonly kind: 'start-running'}
  /** `afterUs`: the guest starts it this long after the command (the EPOW response of a power-off). */
  | {
      readonly kind: 'shutdown';
      readonly why: 'reboot' | 'reset' | 'kexec' | 'power-off';
      readonly isDrained: boolean;
      readonly afterUs?: number;
    }
  | {
      readonly kind: 'halt';
      readonly where: HaltCause;
      readonly message: string;
      /** A power-off asked for is no error; a panic or a failed boot is. */
      readonly severity: 'info' | 'error';
    }
  | {readonly kind: 'release-deferred'}
  /** Guest code (a handler's): runs now on running vCPUs, else once they run; a new boot drops it. */
  | {readonly kind: 'on-vcpu'; readonly effects: readonly Effect[]}
  | {readonly kind: 'fail-migration'; readonly errorDesc: string}
  | {readonly kind: 'apply-workload'; readonly workload: WorkloadConfig};

export interface Transition {
  readonly next: Lifecycle;
  readonly effects: readonly Effect[];
  readonly result: CheckedResult;
}

export function initialLifecycle(name: string, settings: NextBootSettings): Lifecycle {
  return {
    name,
    stage: {kind: 'off'},
    vcpu: {kind: 'running'},
    isSvm: false,
    isMigrating: false,
    settings,
    lastFailure: null,
    bootCount: 0,
  };
}

// ---- what the lifecycle says to the snapshot ----

/** The snapshot's `state`: halted, then stopped vCPUs, then a migration, then the stage. */
export function vmStateOf(lifecycle: Lifecycle): VmState {
  if (lifecycle.stage.kind === 'halted') return 'halted';
  if (lifecycle.vcpu.kind !== 'running') return 'paused';
  if (lifecycle.isMigrating) return 'migrating';
  return lifecycle.stage.kind === 'running' ? 'running' : 'booting';
}

export function securityStateOf(lifecycle: Lifecycle): SecurityState {
  const {stage} = lifecycle;
  if (stage.kind === 'entering-secure') return 'transitioning';
  if (lifecycle.isSvm) return 'secure';
  if (stage.kind === 'halted' && stage.cause === 'os-term' && lifecycle.lastFailure) return 'failed';
  return 'normal';
}

/** The snapshot's `phase`: the boot or secure step, else what the guest is doing. */
export function securityPhaseOf(lifecycle: Lifecycle): SecurityPhase {
  const {stage} = lifecycle;
  switch (stage.kind) {
    case 'off':
      return 'firmware';
    case 'booting':
    case 'entering-secure':
      return stage.step;
    case 'running':
      return lifecycle.isSvm ? 'secure' : 'running';
    case 'shutting-down':
      return stage.waitsIn ?? 'shutdown';
    case 'halted':
      return 'halted';
  }
}

/** How far the current phase is: conversion's share of pages, 1 once running, else 0. */
export function progressOf(lifecycle: Lifecycle): number {
  const {stage} = lifecycle;
  if (stage.kind === 'entering-secure') return stage.progress;
  return stage.kind === 'running' ? 1 : 0;
}

/** The vCPUs are held by the user's pause (`stop`), alone or beyond a migration's stop-and-copy. */
export function isPausedByUserOf({vcpu}: Lifecycle): boolean {
  return vcpu.kind === 'paused' || (vcpu.kind === 'stopped-for-migration' && vcpu.isPausedAfter);
}

/**
 * Where a guest is left by a migration that did not complete, in words: QEMU restarts the vCPUs
 * only if they ran before (qemu/qemu migration/migration.c migration_iteration_finish,
 * `vm_was_running`), so a paused or panicked guest stays as it was.
 */
export function staysOnSourceOf(lifecycle: Lifecycle, host: string): string {
  const {name, stage} = lifecycle;
  if (stage.kind === 'halted') return `${name} stays halted (${stage.cause}) on ${host}`;
  return isPausedByUserOf(lifecycle) ? `${name} stays paused on ${host}` : `${name} keeps running on ${host}`;
}

/**
 * The running kernel sees itself secure (`is_secure_guest()`, MSR_S: torvalds/linux
 * arch/powerpc/include/asm/svm.h) once UV_ESM returns to it, after H_SVM_INIT_DONE, until the VM
 * is terminated. The ultravisor already holds the guest (`isSvm`) while it converts the pages,
 * but the kernel runs on (sets up its swiotlb pool, re-probes) only after that.
 */
export function isKernelSecureOf(lifecycle: Lifecycle): boolean {
  const {stage} = lifecycle;
  if (stage.kind === 'entering-secure') return stage.step === 'swiotlb' || stage.step === 'reprobe';
  return lifecycle.isSvm;
}

/**
 * The guest's memory is protected from the host from the moment it starts entering secure mode
 * until UV_SVM_TERMINATE: QEMU must not count on discarding its pages (balloon), and a migration
 * must treat it as secure.
 */
export function isProtectedOf(lifecycle: Lifecycle): boolean {
  return lifecycle.isSvm || lifecycle.stage.kind === 'entering-secure';
}
