import {formatBytes} from '../core/format-units.js';
import {decideBalloon, SECURE_BALLOON_REASON} from './balloon-policy.js';
import {checkStep} from './command-dispatch.js';
import type {ScenarioStep} from './config/scenario-schema.js';
import type {DmaPolicy, WorkloadName} from './config/world-schema.js';
import {isResetHeldOf} from './lifecycle/command-guards.js';
import type {RefusalCode, Transition} from './lifecycle/lifecycle.js';
import {
  isBootAfterShutdownOf,
  isKexecPendingOf,
  onceResumedOf,
  shutDownWhenOf,
} from './lifecycle/pending-work.js';
import type {MigrationCheck} from './migration/migration-blockers.js';
import type {MigrationParams, SettableMigrationParams} from './migration/migration-params.js';
import {previewRefusal, type PreviewRefusal} from './preview-refusal.js';
import type {MigrationSnapshot, VmSnapshot} from './snapshot-types.js';
import {secureOutcome, type Consequence, type ConsequenceCode} from './secure-outcome.js';
import type {World} from './world.js';

/** A command on one VM, as the dashboard sends it and the host previews it. */
export type VmCommand =
  | {
      readonly kind: 'secure' | 'unsecure' | 'reboot' | 'pause' | 'resume' | 'migrate-cancel';
      readonly vm: string;
    }
  | {readonly kind: 'balloon'; readonly vm: string; readonly targetBytes: number; readonly isForced: boolean}
  | {readonly kind: 'policy'; readonly vm: string; readonly policy: DmaPolicy}
  | {readonly kind: 'workload'; readonly vm: string; readonly workload: WorkloadName}
  | {readonly kind: 'migrate'; readonly vm: string; readonly to: string}
  /** migrate-set-parameters on the running migration. */
  | {readonly kind: 'migrate-set-parameters'; readonly vm: string; readonly params: SettableMigrationParams}
  /** Cancel and migrate again to the same host with these settings (a capability needs that). */
  | {readonly kind: 'migrate-restart'; readonly vm: string; readonly params: Partial<MigrationParams>};

/** What can be previewed: a command, or a migration whose destination is still to be chosen. */
export type PreviewRequest = VmCommand | {readonly kind: 'migrate'; readonly vm: string; readonly to: null};

export type {RefusalCode};

/** A dashboard command as the scenario step it is, so both go through one dispatcher. */
export function commandToStep(command: VmCommand, atUs: number): ScenarioStep {
  const base = {at: atUs, vm: command.vm};
  switch (command.kind) {
    case 'balloon':
      return {...base, do: 'balloon', target: command.targetBytes, force: command.isForced};
    case 'policy':
      return {...base, do: 'policy', policy: command.policy};
    case 'workload':
      return {...base, do: 'workload', workload: command.workload};
    case 'migrate':
      return {...base, do: 'migrate', to: command.to};
    case 'migrate-set-parameters':
      return {...base, do: 'migrate-set-parameters', ...stepParams(command.params)};
    case 'migrate-restart':
      return {
        ...base,
        do: 'migrate-restart',
        ...stepParams(command.params),
        ...(command.params.autoConverge !== undefined && {autoConverge: command.params.autoConverge}),
      };
    default:
      return {...base, do: command.kind};
  }
}

/** Migration parameters in a scenario step's words. */
function stepParams(params: SettableMigrationParams): {maxBandwidth?: number; downtimeLimitMs?: number} {
  return {
    ...(params.maxBandwidthBytesPerSecond !== undefined && {
      maxBandwidth: Number(params.maxBandwidthBytesPerSecond),
    }),
    ...(params.downtimeLimitMs !== undefined && {downtimeLimitMs: Number(params.downtimeLimitMs)}),
  };
}

export type {Consequence, ConsequenceCode};

export type CommandPreview =
  | PreviewRefusal
  | {
      readonly ok: true;
      /** What the command will do, most important first. */
      readonly consequences: readonly Consequence[];
      /** For a migration without a destination: every other host and whether it would accept. */
      readonly targets: readonly MigrationCheck[];
    };

/**
 * Would `request` be refused, and if not, what will it do? Changes nothing. Whether it is refused,
 * with its code and reason, is the host's own dry run (`World.check`: the lifecycle's transition,
 * then the balloon policy or the migration blockers), asked with the very step the command runs
 * as, so the preview cannot disagree with the command. Only the consequences are built here, from
 * the host's rules (the lifecycle's planned effects, decideDma, the ultravisor's ticket check).
 */
export function previewCommand(world: World, request: PreviewRequest): CommandPreview {
  const answer =
    request.kind === 'migrate' && request.to === null
      ? world.check(request.vm, {do: 'migrate', to: null})
      : checkStep(world, commandToStep(request, world.nowUs));
  if (!answer.ok) return previewRefusal(world, request.vm, answer);
  const vm = world.getSnapshot().vms.find((candidate) => candidate.name === request.vm);
  if (!vm) return accept([]);
  switch (request.kind) {
    case 'secure':
      return accept(secureConsequences(world, vm));
    case 'unsecure':
      return accept(unsecureConsequences(world, vm));
    case 'reboot':
      return accept(rebootConsequences(world, vm));
    case 'balloon':
      return accept(balloonConsequences(world, request));
    case 'migrate':
      return accept([], world.migrationChecks(vm.name));
    case 'migrate-set-parameters':
    case 'migrate-restart':
      return accept(migrationConsequences(vm, request));
    default:
      return accept([]);
  }
}

/** Only a larger target on a secure guest takes pages that give the host nothing (decideBalloon). */
function balloonConsequences(world: World, request: Extract<VmCommand, {kind: 'balloon'}>): Consequence[] {
  const guest = world.guest(request.vm);
  const decision = guest && decideBalloon(guest, request.targetBytes, request.isForced);
  return decision?.isSecureInflate ? [{code: 'reclaims-nothing', text: SECURE_BALLOON_REASON}] : [];
}

/** What new migration parameters, or a restart with a capability, will do to the guest. */
function migrationConsequences(
  vm: VmSnapshot,
  request: Extract<VmCommand, {kind: 'migrate-set-parameters' | 'migrate-restart'}>,
): Consequence[] {
  const consequences: Consequence[] = [];
  const migration = vm.migration;
  if (request.kind === 'migrate-restart')
    consequences.push({
      code: 'migration-restarts',
      text: `the migration to ${migration?.to ?? '?'} is cancelled and starts again${request.params.autoConverge ? ' with auto-converge (vCPUs throttled from 20% up to 99% while it runs)' : ''}; what was sent is sent again`,
    });
  const downtimeMs = request.params.downtimeLimitMs;
  if (downtimeMs !== undefined && downtimeMs > (migration?.parameters.downtimeLimitMs ?? 0))
    consequences.push({
      code: 'guest-may-stop',
      text: `it may stop for up to ${downtimeMs} ms while the rest moves (downtime-limit ${downtimeMs} ms)`,
    });
  return consequences;
}

/** A migration that has not ended: the guest is in its hands. */
export function isMigrationRunning(migration: MigrationSnapshot | null): boolean {
  return (
    migration !== null &&
    migration.blockedReasons.length === 0 &&
    (migration.status === 'setup' || migration.status === 'active' || migration.status === 'cancelling')
  );
}

function accept(
  consequences: readonly Consequence[],
  targets: readonly MigrationCheck[] = [],
): CommandPreview {
  return {ok: true, consequences, targets};
}

/** How `secure` goes about it, read from the effects the lifecycle plans for it. */
function secureConsequences(world: World, vm: VmSnapshot): Consequence[] {
  const plan = world.guest(vm.name)?.plan({type: 'secure'});
  return [
    {code: 'kexec', text: plan ? secureHow(plan) : 'this boot enters secure mode'},
    ...secureOutcome(world, vm),
  ];
}

function secureHow({effects, next}: Transition): string {
  if (effects.some((effect) => effect.kind === 'cold-boot')) return 'boots with svm=on';
  if (isBootAfterShutdownOf(next)) return `boots with svm=on ${shutDownWhenOf(next)}`;
  if (isKexecPendingOf(next)) return `kexec into its kernel with svm=on${onceResumedOf(next)}`;
  return `this boot enters secure mode${onceResumedOf(next)}`;
}

/** A paused VM is reset at once and kept paused (isResetHeldOf, the rule the lifecycle asks). */
function heldResetText(world: World, vm: VmSnapshot, how: string): string | null {
  const guest = world.guest(vm.name);
  if (!guest || !isResetHeldOf(guest.lifecycle)) return null;
  return `paused, so reset at once (in-flight I/O dropped)${how}; stays paused before its firmware until p`;
}

function unsecureConsequences(world: World, vm: VmSnapshot): Consequence[] {
  const text = heldResetText(world, vm, ' with svm=off') ?? 'reboots with svm=off';
  const consequences: Consequence[] = [{code: 'reboot', text}];
  if (vm.security.state === 'secure')
    consequences.push({
      code: 'secure-memory-released',
      text: `UV_SVM_TERMINATE gives ${formatBytes(vm.memoryBytes)} of secure memory back`,
    });
  return [...consequences, ...pendingPolicy(vm)];
}

function rebootConsequences(world: World, vm: VmSnapshot): Consequence[] {
  const svm = `svm=${vm.svm ? 'on' : 'off'} stays`;
  const text = heldResetText(world, vm, `, ${svm}`) ?? `reboots; ${svm}`;
  const consequences: Consequence[] = [{code: 'reboot', text}, ...pendingPolicy(vm)];
  return vm.svm ? [...consequences, ...secureOutcome(world, vm)] : consequences;
}

function pendingPolicy(vm: VmSnapshot): Consequence[] {
  return vm.dmaPolicyInEffect !== null && vm.dmaPolicyInEffect !== vm.dmaPolicy
    ? [{code: 'policy-takes-effect', text: `dmaPolicy ${vm.dmaPolicy} takes effect`}]
    : [];
}
