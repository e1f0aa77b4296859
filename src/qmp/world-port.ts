import type {GuestCommand} from '../host/command-dispatch.js';
import {monitorRefusedLine} from '../host/command-log.js';
import {previewCommand} from '../host/command-preview.js';
import {
  DMA_POLICIES,
  WORKLOADS,
  type DeviceType,
  type DmaPolicy,
  type WorkloadName,
} from '../host/config/world-schema.js';
import type {CheckedResult, RefusalCode} from '../host/lifecycle/lifecycle.js';
import {
  isPausedByUserOf,
  securityStateOf,
  type HaltCause,
  type Lifecycle,
} from '../host/lifecycle/lifecycle.js';
import type {
  MigrationParamProblem,
  MigrationParams,
  RequestedMigrationParams,
  SettableMigrationParams,
} from '../host/migration/migration-params.js';
import {MIGRATION_DEFAULTS, migrationParamProblem} from '../host/migration/migration-params.js';
import {vmMigrationBlockers, type MigrationCheck} from '../host/migration/migration-blockers.js';
import type {MigrationStatus, SecurityState, VmSnapshot} from '../host/snapshot-types.js';
import {snapshotVirtioStatus, type VirtioStatusSnapshot} from '../host/virtio/device-snapshot.js';
import type {World} from '../host/world.js';
import {snapshotBalloon} from '../host/world-snapshot.js';

/**
 * The QMP layer's one window on the world: World's public facade (commands, dry runs, snapshots),
 * and, for the facts a monitor must see live between snapshots, the guest's lifecycle value and
 * the snapshot functions of its migration, balloon and devices. When the world's insides change,
 * this file changes; nothing else under src/qmp imports from src/host.
 */

export {DMA_POLICIES, MIGRATION_DEFAULTS, WORKLOADS};
export type {
  CheckedResult,
  DeviceType,
  DmaPolicy,
  HaltCause,
  MigrationCheck,
  MigrationParamProblem,
  MigrationParams,
  RefusalCode,
  VmSnapshot,
  WorkloadName,
};
/** One virtio device as QEMU's x-query-virtio-status sees it. */
export type VirtioDeviceFacts = VirtioStatusSnapshot;

/** What a monitor watches to raise events, read live (not from the last snapshot). */
export interface VmFacts {
  /** Why the VM stopped, while it is halted; null while it is on. */
  readonly haltCause: HaltCause | null;
  /** The vCPU run state apart from the guest's stage (QEMU's RUNNING, PAUSED, FINISH_MIGRATE). */
  readonly vcpu: Lifecycle['vcpu']['kind'];
  /** Paused by management: a paused vCPU, or a pause that outlives a migration's stop-and-copy. */
  readonly isPausedByUser: boolean;
  /** Reset while not running and held until resumed (QEMU's prelaunch). */
  readonly isHeldAfterReset: boolean;
  /** In the firmware, the first step of a cold boot (a reset). */
  readonly isColdBooting: boolean;
  readonly bootCount: number;
  readonly securityState: SecurityState;
  readonly migrationStatus: MigrationStatus | null;
  /** Bitmap syncs so far (each ends a pre-copy pass). */
  readonly dirtySyncCount: number;
  /** What the balloon holds; null without a balloon device. */
  readonly balloonActualBytes: number | null;
  readonly memoryBytes: number;
}

/** Commands a monitor sends; each is one of the world's guest commands. */
export type PortCommand =
  | {readonly kind: 'pause' | 'resume' | 'reboot' | 'reset' | 'secure' | 'unsecure' | 'migrate-cancel'}
  | {readonly kind: 'balloon'; readonly balloonBytes: number; readonly isForced: boolean}
  | {readonly kind: 'policy'; readonly policy: DmaPolicy}
  | {readonly kind: 'workload'; readonly workload: WorkloadName}
  | {readonly kind: 'migrate'; readonly to: string; readonly params: MigrationParams}
  | {readonly kind: 'migration-params'; readonly params: SettableMigrationParams}
  | {readonly kind: 'migration-capabilities'; readonly autoConverge?: boolean; readonly events?: boolean}
  | {readonly kind: 'power-off'; readonly isGraceful: boolean};

/** The picker's answer: the VM's own refusal, or every other host with its blockers. */
export type MigrationTargets =
  Extract<CheckedResult, {ok: false}> | {readonly ok: true; readonly targets: readonly MigrationCheck[]};

export interface TimerLike {
  cancel(): void;
}

function factsOf(
  lifecycle: Lifecycle,
): Pick<VmFacts, 'haltCause' | 'vcpu' | 'isPausedByUser' | 'isHeldAfterReset' | 'isColdBooting'> {
  const {stage, vcpu} = lifecycle;
  return {
    haltCause: stage.kind === 'halted' ? stage.cause : null,
    vcpu: vcpu.kind,
    isPausedByUser: isPausedByUserOf(lifecycle),
    isHeldAfterReset: vcpu.kind === 'paused' && vcpu.isHeldAfterReset === true,
    isColdBooting: stage.kind === 'booting' && stage.step === 'firmware',
  };
}

/** A monitor's command as the world's guest command, and the label its log line carries. */
function guestCommandOf(command: PortCommand): {command: GuestCommand; label?: string} {
  switch (command.kind) {
    case 'balloon':
      return {command: {do: 'balloon', targetBytes: command.balloonBytes, isForced: command.isForced}};
    case 'policy':
      return {command: {do: 'policy', policy: command.policy}};
    case 'workload':
      return {command: {do: 'workload', workload: {profile: command.workload}}};
    case 'migrate':
      return {
        command: {do: 'migrate', to: command.to, params: command.params},
        label: `migrate to ${command.to}`,
      };
    case 'migration-params':
      return {command: {do: 'migrate-set-parameters', params: command.params}};
    case 'migration-capabilities':
      return {
        command: {do: 'migrate-set-capabilities', autoConverge: command.autoConverge, events: command.events},
      };
    case 'power-off':
      return {
        command: {do: 'power-off', isGraceful: command.isGraceful},
        // Immediate is QMP's quit, and logged under its name whether the VM was on or off.
        label: command.isGraceful ? 'power-off' : 'quit',
      };
    default:
      return {command: {do: command.kind}};
  }
}

export class WorldPort {
  #commandsRun = 0;

  constructor(private readonly world: World) {}

  /** Commands run through this port so far; the world logged the answer of each. */
  get commandsRun(): number {
    return this.#commandsRun;
  }

  get nowUs(): number {
    return this.world.nowUs;
  }

  vmNames(): string[] {
    return [...this.world.guests.keys()];
  }

  hostNames(): string[] {
    return [...this.world.hosts.keys()];
  }

  /** The VM's current incarnation: it changes when a config reload recreates the VM. */
  vmIdentity(vm: string): object | undefined {
    return this.world.guest(vm);
  }

  facts(vm: string): VmFacts | undefined {
    const guest = this.world.guest(vm);
    if (!guest) return undefined;
    const {lifecycle} = guest;
    const migration = this.world.activeMigration(vm)?.snapshot();
    return {
      ...factsOf(lifecycle),
      bootCount: lifecycle.bootCount,
      securityState: securityStateOf(lifecycle),
      migrationStatus: migration?.status ?? null,
      dirtySyncCount: migration?.ram.dirtySyncCount ?? 0,
      balloonActualBytes: snapshotBalloon(guest)?.actualBytes ?? null,
      memoryBytes: guest.config.memory,
    };
  }

  /** The VM as the last snapshot shows it (what the dashboard and headless output show). */
  snapshot(vm: string): VmSnapshot | undefined {
    return this.world.getSnapshot().vms.find((candidate) => candidate.name === vm);
  }

  /** The `m` picker's data, asked as the picker asks it: the VM's own refusal first, then each host. */
  migrationTargets(vm: string): MigrationTargets {
    const preview = previewCommand(this.world, {kind: 'migrate', vm, to: null});
    return preview.ok ? {ok: true, targets: preview.targets} : preview;
  }

  /**
   * The VM's own migration blockers now, read live as QEMU's query-migrate reads them; none for a
   * VM gone. Simplification: svmtop's other blockers depend on a destination, which query-migrate has not.
   */
  ownMigrationBlockers(vm: string): string[] {
    const guest = this.world.guest(vm);
    return guest ? vmMigrationBlockers(guest) : [];
  }

  /** The VM's one set of migration parameters and auto-converge, as the dashboard and scenario see it. */
  migrationParams(vm: string): MigrationParams {
    const guest = this.world.guest(vm);
    return guest?.migrationParams ?? MIGRATION_DEFAULTS;
  }

  /**
   * The host's own range check of migration parameters (QEMU's migrate_params_check order): which
   * parameter a refusal names, for QEMU's words. The host decides (its command refuses and logs).
   */
  migrationParamProblem(params: RequestedMigrationParams): MigrationParamProblem | null {
    return migrationParamProblem(params);
  }

  virtioDevices(vm: string): VirtioDeviceFacts[] {
    return (this.world.guest(vm)?.backends ?? []).map(snapshotVirtioStatus);
  }

  /** What running `command` would answer now (the world's dry run): nothing changes, nothing is logged. */
  check(vm: string, command: PortCommand): CheckedResult {
    return this.world.check(vm, guestCommandOf(command).command);
  }

  /** Runs a command on behalf of `origin`; the world logs it with the origin, as it logs keys. */
  command(vm: string, origin: string, command: PortCommand): CheckedResult {
    const {command: guestCommand, label} = guestCommandOf(command);
    this.#commandsRun++;
    return this.world.runWithOrigin(origin, () => this.world.command(vm, guestCommand, label));
  }

  /** A line in the world's event log (QMP connections, refused clients), under `origin`. */
  log(vm: string, origin: string, severity: 'info' | 'warning', message: string): void {
    this.world.runWithOrigin(origin, () => this.world.emit(vm, 'qmp', severity, message));
  }

  /**
   * A command refused before it reached the world, logged as the world logs its refusals, with
   * the client's own strings (`supplied`) bounded wherever they appear in the line.
   */
  logRefusal(
    vm: string,
    origin: string,
    command: string,
    reason: string,
    supplied: readonly string[] = [],
  ): void {
    this.world.runWithOrigin(origin, () =>
      this.world.emit(vm, 'command', 'warning', monitorRefusedLine(command, reason, supplied)),
    );
  }

  /** Called after every command and advance, and at the end of every migration, when the world has settled. */
  onChanged(listener: () => void): () => void {
    return this.world.subscribe(listener);
  }

  /** Runs `work` after `delayUs` of simulated time (a probe that only reads). */
  after(delayUs: number, work: () => void): TimerLike {
    return this.world.scheduler.after(delayUs, work);
  }
}
