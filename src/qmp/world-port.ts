import {runStep} from '../host/command-dispatch.js';
import {
  DMA_POLICIES,
  WORKLOADS,
  type DeviceType,
  type DmaPolicy,
  type WorkloadName,
} from '../host/config/world-schema.js';
import type {CommandResult} from '../host/guest.js';
import type {MigrationParams} from '../host/migration/migration.js';
import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import type {
  MigrationStatus,
  SecurityPhase,
  SecurityState,
  VmSnapshot,
  VmState,
} from '../host/snapshot-types.js';
import {BALLOON_PAGE_BYTES, type BalloonBackend} from '../host/virtio/balloon-backend.js';
import type {World} from '../host/world.js';

/**
 * The QMP layer's one window on the world (World's public facade, its snapshots and, for the
 * few live facts a monitor must see between snapshots, the guests behind it). When the world's
 * insides change, this file changes; nothing else under src/qmp imports from src/host.
 */

export {DMA_POLICIES, WORKLOADS};
export type {DeviceType, DmaPolicy, MigrationCheck, MigrationParams, VmSnapshot, WorkloadName};

/** What a monitor watches to raise events, read live (not from the last snapshot). */
export interface VmFacts {
  readonly state: VmState;
  readonly isUserPaused: boolean;
  readonly isStoppedForMigration: boolean;
  readonly isPoweredOff: boolean;
  readonly phase: SecurityPhase;
  readonly bootCount: number;
  readonly securityState: SecurityState;
  readonly migrationStatus: MigrationStatus | null;
  /** Bitmap syncs so far (each ends a pre-copy pass). */
  readonly dirtySyncCount: number;
  readonly balloonActualBytes: number | null;
  readonly memoryBytes: number;
}

/** One virtio device as QEMU's x-query-virtio-status sees it. */
export interface VirtioDeviceFacts {
  readonly index: number;
  readonly type: DeviceType;
  readonly status: number;
  readonly offeredFeatures: bigint;
  readonly negotiatedFeatures: bigint;
  readonly queueCount: number;
  readonly isBroken: boolean;
}

/** Commands a monitor sends; each maps to one facade call. */
export type PortCommand =
  | {readonly kind: 'pause' | 'resume' | 'reboot' | 'secure' | 'unsecure' | 'migrate-cancel'}
  | {readonly kind: 'balloon'; readonly balloonBytes: number; readonly isForced: boolean}
  | {readonly kind: 'policy'; readonly policy: DmaPolicy}
  | {readonly kind: 'workload'; readonly workload: WorkloadName}
  | {readonly kind: 'migrate'; readonly to: string; readonly params: MigrationParams}
  | {readonly kind: 'migration-params'; readonly params: Partial<MigrationParams>}
  | {readonly kind: 'power-off'; readonly isGraceful: boolean};

export interface TimerLike {
  cancel(): void;
}

export class WorldPort {
  constructor(private readonly world: World) {}

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
    const migration = this.world.activeMigration(vm);
    const balloon = guest.backends.find((backend) => backend.type === 'balloon') as
      BalloonBackend | undefined;
    return {
      state: guest.state,
      isUserPaused: guest.isPaused,
      isStoppedForMigration: guest.isStoppedForMigration,
      isPoweredOff: guest.isPoweredOff,
      phase: guest.phase,
      bootCount: guest.bootCount,
      securityState: guest.securityState,
      migrationStatus: migration?.status ?? null,
      dirtySyncCount: migration ? migration.snapshot().ram.dirtySyncCount : 0,
      balloonActualBytes: balloon ? balloon.actualPages * BALLOON_PAGE_BYTES : null,
      memoryBytes: guest.config.memory,
    };
  }

  /** The VM as the last snapshot shows it (what the dashboard and headless output show). */
  snapshot(vm: string): VmSnapshot | undefined {
    return this.world.getSnapshot().vms.find((candidate) => candidate.name === vm);
  }

  migrationChecks(vm: string): MigrationCheck[] {
    return this.world.migrationChecks(vm);
  }

  virtioDevices(vm: string): VirtioDeviceFacts[] {
    const guest = this.world.guest(vm);
    return (guest?.backends ?? []).map((backend, index) => ({
      index,
      type: backend.type,
      status: backend.status,
      offeredFeatures: backend.offeredFeatures,
      negotiatedFeatures: backend.negotiated,
      queueCount: backend.queueCount,
      isBroken: backend.isBroken,
    }));
  }

  /** Runs a command on behalf of `origin`; the world logs it with the origin, as it logs keys. */
  command(vm: string, origin: string, command: PortCommand): CommandResult {
    return this.world.runWithOrigin(origin, () => this.#dispatch(vm, command));
  }

  #dispatch(vm: string, command: PortCommand): CommandResult {
    const at = this.world.nowUs;
    switch (command.kind) {
      case 'balloon':
        return runStep(this.world, {
          at,
          vm,
          do: 'balloon',
          target: command.balloonBytes,
          force: command.isForced,
        });
      case 'policy':
        return runStep(this.world, {at, vm, do: 'policy', policy: command.policy});
      case 'workload':
        return runStep(this.world, {at, vm, do: 'workload', workload: command.workload});
      case 'migrate':
        return this.world.migrate(vm, command.to, command.params);
      case 'migration-params':
        return this.world.setMigrationParams(vm, command.params);
      case 'power-off':
        return this.world.powerOff(vm, command.isGraceful);
      default:
        return runStep(this.world, {at, vm, do: command.kind});
    }
  }

  /** A line in the world's event log (QMP connections, refused clients), under `origin`. */
  log(vm: string, origin: string, severity: 'info' | 'warning', message: string): void {
    this.world.runWithOrigin(origin, () => this.world.emit(vm, 'qmp', severity, message));
  }

  /** Called after every command and at the end of every advance, when the world has settled. */
  onChanged(listener: () => void): () => void {
    return this.world.subscribe(listener);
  }

  /** Runs `work` after `delayUs` of simulated time (a probe that only reads). */
  after(delayUs: number, work: () => void): TimerLike {
    return this.world.scheduler.after(delayUs, work);
  }
}
