import {invariantBroken} from '../core/assert.js';
import {decideBalloon} from './balloon-policy.js';
import type {Cluster} from './cluster.js';
import type {ScenarioStep} from './config/scenario-schema.js';
import type {DmaPolicy, WorkloadConfig} from './config/world-schema.js';
import {exhaustSecureMemory, exhaustSwiotlb, injectMalformedChain} from './faults.js';
import type {CheckedResult, Guest} from './guest.js';
import type {LifecycleCommand} from './lifecycle/lifecycle.js';
import type {MigrationService} from './migration/migration-service.js';
import {
  migrationParamProblem,
  type MigrationParams,
  type RequestedMigrationParams,
  type SettableMigrationParams,
} from './migration/migration-params.js';

/** What a scenario step needs of the world (a `World` is one). */
export interface StepTarget {
  command(vm: string, command: GuestCommand, label?: string): CheckedResult;
  check(vm: string, command: CheckableCommand): CheckedResult;
  runOnGuest(vm: string, label: string, run: (guest: Guest) => CheckedResult): CheckedResult;
  crash(vm: string): CheckedResult;
  setLinkDown(a: string, b: string, isDown: boolean): CheckedResult;
  injectKeyExchangeFault(vm: string): CheckedResult;
}

type CommandStep = Exclude<ScenarioStep, {do: 'fault'}>;

/** Runs one scenario step (or the same command from the dashboard) against the world. */
export function runStep(world: StepTarget, step: ScenarioStep): CheckedResult {
  if (step.do === 'fault') return runFault(world, step);
  const command = commandOf(step);
  return world.command(step.vm, command, command.do === 'migrate' ? `migrate to ${command.to}` : command.do);
}

/** What running `step` would answer now, without running it (faults are always tried: ok). */
export function checkStep(world: StepTarget, step: ScenarioStep): CheckedResult {
  if (step.do === 'fault') return {ok: true};
  return world.check(step.vm, commandOf(step));
}

/** A scenario step's command in the host's words. */
export function commandOf(step: CommandStep): GuestCommand {
  switch (step.do) {
    case 'balloon':
      return {do: 'balloon', targetBytes: step.target, isForced: step.force};
    case 'policy':
      return {do: 'policy', policy: step.policy};
    case 'workload':
      return {do: 'workload', workload: {profile: step.workload}};
    case 'migrate':
      return {do: 'migrate', to: step.to, params: {...settableParamsOf(step), ...autoConvergeOf(step)}};
    case 'migrate-set-parameters':
      return {do: 'migrate-set-parameters', params: settableParamsOf(step)};
    case 'migrate-restart':
      return {do: 'migrate-restart', params: {...settableParamsOf(step), ...autoConvergeOf(step)}};
    default:
      return {do: step.do};
  }
}

function settableParamsOf(step: {maxBandwidth?: number; downtimeLimitMs?: number}): Partial<MigrationParams> {
  return {
    ...(step.maxBandwidth !== undefined && {maxBandwidthBytesPerSecond: BigInt(step.maxBandwidth)}),
    ...(step.downtimeLimitMs !== undefined && {downtimeLimitMs: step.downtimeLimitMs}),
  };
}

function autoConvergeOf(step: {autoConverge?: boolean}): Partial<MigrationParams> {
  return step.autoConverge !== undefined ? {autoConverge: step.autoConverge} : {};
}

function runFault(world: StepTarget, step: Extract<ScenarioStep, {do: 'fault'}>): CheckedResult {
  if (step.kind === 'link-down' || step.kind === 'link-up') {
    const [a, b] = step.hosts ?? ['', ''];
    return world.setLinkDown(a, b, step.kind === 'link-down');
  }
  const vm = step.vm ?? '';
  switch (step.kind) {
    case 'key-exchange':
      return world.injectKeyExchangeFault(vm);
    case 'crash':
      return world.crash(vm);
    case 'malformed-chain':
      return world.runOnGuest(vm, 'fault malformed-chain', injectMalformedChain);
    case 'secure-memory-exhaustion':
      return world.runOnGuest(vm, 'fault secure-memory-exhaustion', exhaustSecureMemory);
    case 'swiotlb-exhaustion':
      return world.runOnGuest(vm, 'fault swiotlb-exhaustion', exhaustSwiotlb);
  }
}

// ---- deciding and carrying out a guest command ----

/** A management command on one guest, from a key, a scenario step, QMP or a dry run. */
export type GuestCommand =
  | {readonly do: 'pause' | 'resume' | 'reboot' | 'secure' | 'unsecure' | 'migrate-cancel'}
  /** QEMU's system_reset (QMP): a reboot that keeps a stopped VM stopped. */
  | {readonly do: 'reset'}
  | {readonly do: 'balloon'; readonly targetBytes: number; readonly isForced: boolean}
  | {readonly do: 'policy'; readonly policy: DmaPolicy}
  | {readonly do: 'workload'; readonly workload: WorkloadConfig}
  | {readonly do: 'migrate'; readonly to: string; readonly params: Partial<MigrationParams>}
  /** QEMU's migrate-set-parameters: the VM's parameters, in force at once for a running migration. */
  | {readonly do: 'migrate-set-parameters'; readonly params: SettableMigrationParams}
  /**
   * QEMU's migrate-set-capabilities, refused while a migration runs: auto-converge when named
   * (absent: unchanged); `events`, QMP's own, only for the log line.
   */
  | {readonly do: 'migrate-set-capabilities'; readonly autoConverge?: boolean; readonly events?: boolean}
  /** Cancel and migrate again to the same host with these settings (MigrationService.restart). */
  | {readonly do: 'migrate-restart'; readonly params: Partial<MigrationParams>}
  | {readonly do: 'power-off'; readonly isGraceful: boolean};

/** A dry run may also ask about a migration whose destination is still to be chosen: the guest's part. */
export type CheckableCommand = GuestCommand | {readonly do: 'migrate'; readonly to: null};

/** What a command needs besides the guest. */
export interface CommandParts {
  readonly cluster: Cluster;
  readonly migrations: MigrationService;
}

/**
 * Decides a command and, unless `isDryRun`, carries it out. The guest's lifecycle answers first
 * (its one transition function); balloon and migration then ask their own policy (the balloon
 * policy, the migration blockers). A dry run gives the same answer and changes nothing.
 */
export function runGuestCommand(
  parts: CommandParts,
  guest: Guest,
  command: CheckableCommand,
  isDryRun: boolean,
): CheckedResult {
  const lifecycle = (event: LifecycleCommand): CheckedResult =>
    isDryRun ? guest.check(event) : guest.dispatch(event);
  switch (command.do) {
    case 'pause':
    case 'resume':
    case 'reboot':
    case 'reset':
    case 'secure':
    case 'unsecure':
      return lifecycle({type: command.do});
    case 'policy':
      return lifecycle({type: 'set-policy', policy: command.policy});
    case 'workload':
      return lifecycle({type: 'set-workload', workload: command.workload});
    case 'balloon':
      return balloon(guest, command.targetBytes, command.isForced, isDryRun);
    case 'migrate': {
      const cancelling = parts.migrations.refuseWhileCancelling(guest.name);
      if (cancelling) return cancelling;
      if (command.to === null) {
        if (!isDryRun) invariantBroken(`guest ${guest.name}: a migration run without a destination`);
        return guest.check({type: 'migrate'});
      }
      const destination = parts.cluster.hosts.get(command.to);
      if (!destination) return {ok: false, code: 'no-such-host', reason: `no host named "${command.to}"`};
      const accepted = guest.check({type: 'migrate'});
      if (!accepted.ok) return accepted;
      return withParams(guest, command.params, isDryRun, (params) =>
        parts.migrations.start(guest, destination, params, isDryRun),
      );
    }
    case 'migrate-cancel':
      return parts.migrations.cancel(guest.name, isDryRun);
    case 'migrate-set-parameters':
      return withParams(guest, command.params, isDryRun, (params) =>
        parts.migrations.tellRunning(guest.name, params, isDryRun),
      );
    case 'migrate-set-capabilities':
      return setCapabilities(parts, guest, command, isDryRun);
    case 'migrate-restart':
      return withParams(guest, command.params, isDryRun, (params) =>
        parts.migrations.restart(guest.name, params, isDryRun),
      );
    case 'power-off':
      return lifecycle({type: 'power-off', isGraceful: command.isGraceful});
  }
}

function balloon(guest: Guest, targetBytes: number, isForced: boolean, isDryRun: boolean): CheckedResult {
  const accepted = guest.check({type: 'balloon'});
  if (!accepted.ok) return accepted;
  const {result, backend, targetPages} = decideBalloon(guest, targetBytes, isForced);
  if (result.ok && !isDryRun) backend?.setTarget(targetPages);
  return result;
}

/**
 * The one place a VM's migration parameters and capabilities change, whatever its migration is
 * doing: merged into its set and checked (migrate_params_check), then `act` (start, restart, or
 * tell the running migration) and, if it accepts, stored as the VM's own (qemu/qemu
 * migration/options.c qmp_migrate_set_parameters: migrate_params_test_apply, migrate_params_check,
 * then migrate_params_apply on the one MigrationState, which sets a running migration's rate).
 * Simplification: `migrate` and `migrate-restart` may carry parameters; QEMU's management sets them
 * first. A dry run answers the same and stores nothing.
 */
function withParams(
  guest: Guest,
  changes: Partial<RequestedMigrationParams>,
  isDryRun: boolean,
  act: (params: MigrationParams) => CheckedResult,
): CheckedResult {
  const requested = {...guest.migrationParams, ...changes};
  const problem = migrationParamProblem(requested);
  if (problem) return {ok: false, code: 'bad-parameter', reason: problem.reason};
  const params = {...requested, downtimeLimitMs: Number(requested.downtimeLimitMs)};
  const result = act(params);
  if (result.ok && !isDryRun) guest.storeMigrationParams(params);
  return result;
}

/**
 * migrate-set-capabilities refuses while a migration runs (qemu/qemu migration/options.c
 * qmp_migrate_set_capabilities: migration_is_running, QERR_MIGRATION_ACTIVE).
 */
function setCapabilities(
  parts: CommandParts,
  guest: Guest,
  {autoConverge, events}: {readonly autoConverge?: boolean; readonly events?: boolean},
  isDryRun: boolean,
): CheckedResult {
  if (parts.migrations.active(guest.name)?.isActive)
    return {ok: false, code: 'migrating', reason: `${guest.name} is migrating; capabilities cannot change`};
  const named = [
    autoConverge === undefined ? '' : `auto-converge ${autoConverge ? 'on' : 'off'}`,
    events === undefined ? '' : `events ${events ? 'on' : 'off'}`,
  ];
  const message = named.filter((part) => part !== '').join(', ') || 'no change';
  const changes = autoConverge === undefined ? {} : {autoConverge};
  return withParams(guest, changes, isDryRun, () => ({ok: true, message}));
}
