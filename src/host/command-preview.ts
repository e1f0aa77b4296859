import {featureSet, VirtioFeature} from '../core/virtio.js';
import {formatSize} from '../core/units.js';
import type {DmaPolicy, WorkloadName} from './config/world-schema.js';
import {decideDma} from './dma-policy.js';
import type {MigrationCheck} from './migration/migration-blockers.js';
import type {MigrationSnapshot, VmSnapshot} from './snapshot-types.js';
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
  | {readonly kind: 'migrate'; readonly vm: string; readonly to: string};

/** What can be previewed: a command, or a migration whose destination is still to be chosen. */
export type PreviewRequest = VmCommand | {readonly kind: 'migrate'; readonly vm: string; readonly to: null};

export type RefusalCode =
  | 'no-guest'
  | 'migrating'
  | 'not-migrating'
  | 'already-secure'
  | 'entering-secure'
  | 'already-normal'
  | 'halted'
  | 'no-balloon'
  | 'balloon-refused'
  /** Would be refused as asked, but succeeds when forced (a balloon on a secure guest). */
  | 'needs-force'
  | 'destination-refuses';

export type ConsequenceCode =
  | 'kexec'
  | 'reboot'
  | 'will-halt'
  | 'devices-fault'
  | 'devices-refused'
  | 'undeclared'
  | 'policy-takes-effect'
  | 'secure-memory-released'
  | 'reclaims-nothing';

export interface Consequence {
  readonly code: ConsequenceCode;
  readonly text: string;
}

export type CommandPreview =
  | {readonly ok: false; readonly code: RefusalCode; readonly reason: string}
  | {
      readonly ok: true;
      /** What the command will do, most important first. */
      readonly consequences: readonly Consequence[];
      /** For a migration without a destination: every other host and whether it would accept. */
      readonly targets: readonly MigrationCheck[];
    };

// A dry run until the lifecycle's own (`World.check`) exists: the refusals below mirror the
// guards of Guest.secure/unsecure/reboot and World.balloon/migrate, in the same order, and the
// consequences come from the host's pure rules (decideDma, migrationChecks, the ultravisor's
// ticket check). This file is the one place to point at that dry run.

/** Would `request` be refused, and if not, what will it do? Changes nothing. */
export function previewCommand(world: World, request: PreviewRequest): CommandPreview {
  const vm = world.getSnapshot().vms.find((candidate) => candidate.name === request.vm);
  if (!vm) return refuse('no-guest', `no guest named "${request.vm}"`);
  switch (request.kind) {
    case 'secure':
      return previewSecure(world, vm);
    case 'unsecure':
      return previewUnsecure(vm);
    case 'reboot':
      return previewReboot(world, vm);
    case 'balloon':
      return previewBalloon(vm, request.isForced);
    case 'migrate':
      return previewMigrate(world, vm, request.to);
    case 'migrate-cancel':
      return isMigrationRunning(vm.migration)
        ? accept([])
        : refuse('not-migrating', `${vm.name} is not migrating`);
    default:
      return accept([]);
  }
}

/** A migration that has not ended: the guest is in its hands. */
export function isMigrationRunning(migration: MigrationSnapshot | null): boolean {
  return (
    migration !== null &&
    migration.blockedReasons.length === 0 &&
    ['setup', 'key-exchange', 'active', 'device', 'cancelling'].includes(migration.status)
  );
}

function refuse(code: RefusalCode, reason: string): CommandPreview {
  return {ok: false, code, reason};
}

function accept(
  consequences: readonly Consequence[],
  targets: readonly MigrationCheck[] = [],
): CommandPreview {
  return {ok: true, consequences, targets};
}

function refuseWhileMigrating(vm: VmSnapshot): CommandPreview | undefined {
  return isMigrationRunning(vm.migration)
    ? refuse('migrating', `${vm.name} is migrating; cancel the migration first (c)`)
    : undefined;
}

function previewSecure(world: World, vm: VmSnapshot): CommandPreview {
  const refused = refuseWhileMigrating(vm);
  if (refused) return refused;
  if (vm.security.state === 'secure') return refuse('already-secure', `${vm.name} is already secure`);
  if (vm.security.state === 'transitioning')
    return refuse('entering-secure', `${vm.name} is already entering secure mode (${vm.security.phase})`);
  const how =
    vm.state === 'halted'
      ? 'boots with svm=on'
      : vm.state === 'booting'
        ? 'this boot enters secure mode'
        : 'kexec into its kernel with svm=on';
  return accept([{code: 'kexec', text: how}, ...secureOutcome(world, vm)]);
}

function previewUnsecure(vm: VmSnapshot): CommandPreview {
  const refused = refuseWhileMigrating(vm);
  if (refused) return refused;
  if (!vm.svm && vm.security.state === 'normal')
    return refuse('already-normal', `${vm.name} is already normal (svm=off)`);
  const consequences: Consequence[] = [{code: 'reboot', text: 'reboots with svm=off'}];
  if (vm.security.state === 'secure')
    consequences.push({
      code: 'secure-memory-released',
      text: `UV_SVM_TERMINATE gives ${formatSize(vm.memoryBytes)} of secure memory back`,
    });
  return accept([...consequences, ...pendingPolicy(vm)]);
}

function previewReboot(world: World, vm: VmSnapshot): CommandPreview {
  const refused = refuseWhileMigrating(vm);
  if (refused) return refused;
  const consequences: Consequence[] = [
    {code: 'reboot', text: `reboots; svm=${vm.svm ? 'on' : 'off'} stays`},
    ...pendingPolicy(vm),
  ];
  return accept(vm.svm ? [...consequences, ...secureOutcome(world, vm)] : consequences);
}

function pendingPolicy(vm: VmSnapshot): Consequence[] {
  return vm.dmaPolicyInEffect !== null && vm.dmaPolicyInEffect !== vm.dmaPolicy
    ? [{code: 'policy-takes-effect', text: `dmaPolicy ${vm.dmaPolicy} takes effect`}]
    : [];
}

/** How entering secure mode will end for this guest on its host, under its configured policy. */
function secureOutcome(world: World, vm: VmSnapshot): Consequence[] {
  const halt = esmFailure(world, vm);
  if (halt) return [{code: 'will-halt', text: halt}];
  const consequences = deviceOutcome(vm);
  if (vm.security.declared === 'none')
    consequences.push({
      code: 'undeclared',
      text: 'it is declared launchSecurity: none, so management will not know it is secure',
    });
  return consequences;
}

/** Why UV_ESM would fail (enterSecureMode's checks, in its order), or undefined. */
function esmFailure(world: World, vm: VmSnapshot): string | undefined {
  const host = world.hosts.get(vm.host);
  const ultravisor = host?.ultravisor;
  if (!ultravisor)
    return `${vm.host} has no ultravisor: H_SVM_INIT_START will return H_UNSUPPORTED and ${vm.name} will halt`;
  const guest = world.guest(vm.name);
  const verdict = guest ? ultravisor.verifyTicket(guest.image, guest.ticket) : undefined;
  if (verdict && !verdict.ok)
    return `the ultravisor will refuse its ticket (${verdict.code}: ${verdict.reason}) and ${vm.name} will halt`;
  // A secure guest that reboots gives its own secure memory back before it asks again.
  const freeBytes = ultravisor.secureFreeBytes + (vm.security.state === 'secure' ? vm.memoryBytes : 0);
  if (freeBytes < vm.memoryBytes)
    return `${vm.host} has ${formatSize(freeBytes)} of secure memory free, ${vm.name} needs ${formatSize(vm.memoryBytes)} (U_RETRY): it will halt`;
  return undefined;
}

/** Which devices the secure kernel will drive without the DMA API (they fault) or refuse. */
function deviceOutcome(vm: VmSnapshot): Consequence[] {
  const faulting: string[] = [];
  const refused: string[] = [];
  for (const device of vm.devices) {
    // Every device here is modern (VERSION_1); the balloon driver clears ACCESS_PLATFORM in its
    // validate step (`virtballoon_validate`), as BalloonDriver.validate does.
    const hasAccessPlatform = device.offersAccessPlatform && device.type !== 'balloon';
    const negotiated = hasAccessPlatform
      ? featureSet(VirtioFeature.version1, VirtioFeature.accessPlatform)
      : featureSet(VirtioFeature.version1);
    const decision = decideDma({
      policy: vm.dmaPolicy,
      isSecure: true,
      negotiated,
      isSwiotlbForced: false,
    });
    if (decision.mode === 'direct') faulting.push(device.type);
    if (decision.mode === 'refused') refused.push(device.type);
  }
  const consequences: Consequence[] = [];
  if (faulting.length > 0)
    consequences.push({
      code: 'devices-fault',
      text: `${count(faulting.length, 'device')} will fault when used (${faulting.join(', ')}: no ACCESS_PLATFORM, ${vm.dmaPolicy} policy)`,
    });
  if (refused.length > 0)
    consequences.push({
      code: 'devices-refused',
      text: `${count(refused.length, 'device')} will be refused at probe (${refused.join(', ')}: no ACCESS_PLATFORM, ${vm.dmaPolicy} policy)`,
    });
  return consequences;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

function previewBalloon(vm: VmSnapshot, isForced: boolean): CommandPreview {
  const balloon = vm.devices.find((device) => device.type === 'balloon');
  if (!balloon || !vm.balloon) return refuse('no-balloon', `${vm.name} has no virtio-balloon device`);
  if (balloon.status === 'refused')
    return refuse('balloon-refused', `${vm.name}'s balloon was refused at probe: ${balloon.error ?? ''}`);
  const isProtected = vm.security.state === 'secure' || vm.security.state === 'transitioning';
  if (isProtected && !isForced)
    return refuse('needs-force', `${vm.name}'s memory is secure: the host would reclaim nothing`);
  if (vm.state === 'halted') return refuse('halted', `${vm.name} is halted`);
  return accept(
    isProtected ? [{code: 'reclaims-nothing', text: `its memory is secure: the host reclaims nothing`}] : [],
  );
}

function previewMigrate(world: World, vm: VmSnapshot, to: string | null): CommandPreview {
  if (isMigrationRunning(vm.migration)) return refuse('migrating', `${vm.name} is already migrating`);
  if (vm.state === 'halted') return refuse('halted', `${vm.name} is halted`);
  if (vm.security.state === 'transitioning')
    return refuse(
      'entering-secure',
      `${vm.name} is entering secure mode (${vm.security.phase}); migrate when it is done`,
    );
  const targets = world.migrationChecks(vm.name);
  if (to === null) return accept([], targets);
  const target = targets.find((check) => check.host === to);
  if (!target) return refuse('destination-refuses', `no host named "${to}" to migrate to`);
  if (target.blockedReasons.length > 0)
    return refuse('destination-refuses', `${to} refuses: ${target.blockedReasons.join('; ')}`);
  return accept([], targets);
}
