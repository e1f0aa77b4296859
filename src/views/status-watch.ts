import type {VmSnapshot} from '../host/snapshot-types.js';
import type {VmCommand} from './dashboard-model.js';
import {
  STATUS_LIFETIME_MS,
  WATCHES_MAX,
  type DashboardState,
  type StatusMessage,
  type Watch,
  type WatchKind,
} from './dashboard-state.js';
import {deviceTrouble} from './device-trouble.js';
import {counted, formatBytes, formatSpan} from './format.js';

/** How long (simulated) an accepted command is followed before the status line gives up on it. */
const WATCH_LIMIT_US = 600_000_000;

type Outcome = Pick<StatusMessage, 'text' | 'tone'>;

/** The watch an accepted command starts, if its outcome comes later. */
export function watchFor(
  command: VmCommand,
  nowUs: number,
  promise: StatusMessage | null,
): Watch | undefined {
  const kinds: Partial<Record<VmCommand['kind'], WatchKind>> = {
    secure: 'secure',
    unsecure: 'unsecure',
    reboot: 'reboot',
    migrate: 'migrate',
    'migrate-cancel': 'migrate-cancel',
    balloon: 'balloon',
  };
  const kind = kinds[command.kind];
  return kind ? {vm: command.vm, kind, sinceUs: nowUs, hasLeftRunning: false, promise} : undefined;
}

/** Adds a watch; a newer command of the same kind on the same VM replaces the older one. */
export function addWatch(watches: readonly Watch[], watch: Watch): readonly Watch[] {
  const others = watches.filter((other) => other.vm !== watch.vm || other.kind !== watch.kind);
  return [...others, watch].slice(-WATCHES_MAX);
}

/**
 * On a new snapshot: outcomes of watched commands replace the promise they follow (not a newer
 * message: the outcome is in the events), and a message older than its lifetime goes.
 */
export function followUp(state: DashboardState, nowMs: number): DashboardState {
  const vms = state.view.world.vms;
  const tUs = state.view.world.tUs;
  let status = state.status && nowMs - state.status.shownAtMs > STATUS_LIFETIME_MS ? null : state.status;
  const watches: Watch[] = [];
  for (const watch of state.watches) {
    const vm = vms.find((candidate) => candidate.name === watch.vm);
    const outcome = vm ? outcomeOf(watch, vm) : {text: `${watch.vm} was removed`, tone: 'info' as const};
    if (outcome) {
      if (status === null || status === watch.promise) status = {...outcome, shownAtMs: nowMs};
    } else if (tUs - watch.sinceUs < WATCH_LIMIT_US)
      watches.push(vm && vm.state !== 'running' ? {...watch, hasLeftRunning: true} : watch);
  }
  if (status === state.status && watches.length === state.watches.length) return state;
  return {...state, status, watches};
}

/** The outcome of a watched command in this snapshot, or undefined while it is still under way. */
function outcomeOf(watch: Watch, vm: VmSnapshot): Outcome | undefined {
  const name = vm.name;
  switch (watch.kind) {
    case 'secure':
      if (vm.security.state === 'secure') return secureOutcome(vm);
      if (vm.security.state === 'failed')
        return {text: `${name} did not go secure: ${vm.security.failure ?? 'failed'}; halted`, tone: 'error'};
      return undefined;
    case 'unsecure':
    case 'reboot':
      if (vm.state === 'halted')
        return {text: `${name} halted: ${vm.security.failure ?? 'see 4 events'}`, tone: 'error'};
      if (!(watch.hasLeftRunning && vm.state === 'running')) return undefined;
      return {
        text: `${name} rebooted: running ${vm.security.state === 'secure' ? 'secure' : 'normal'}`,
        tone: 'info',
      };
    case 'migrate':
    case 'migrate-cancel':
      return migrationOutcome(vm);
    case 'balloon': {
      const balloon = vm.balloon;
      if (!balloon || balloon.actualBytes !== balloon.targetBytes) return undefined;
      return {
        text: `balloon ${name}: holds ${formatBytes(balloon.actualBytes)}, the host has reclaimed ${formatBytes(balloon.reclaimedBytes)}`,
        tone: balloon.reclaimedBytes < balloon.actualBytes ? 'warning' : 'info',
      };
    }
  }
}

function secureOutcome(vm: VmSnapshot): Outcome {
  const {broken, refused} = deviceTrouble(vm);
  const problems = [
    broken > 0 ? `${counted(broken, 'device')} broken` : '',
    refused > 0 ? `${refused} refused` : '',
  ].filter(Boolean);
  return problems.length === 0
    ? {text: `${vm.name} is secure`, tone: 'info'}
    : {text: `${vm.name} is secure; ${problems.join(', ')} (see 1 devices)`, tone: 'warning'};
}

function migrationOutcome(vm: VmSnapshot): Outcome | undefined {
  const migration = vm.migration;
  if (!migration) return undefined;
  switch (migration.status) {
    case 'completed':
      return {
        text: `${vm.name} migrated to ${migration.to} (downtime ${formatSpan(migration.downtimeMs)})`,
        tone: 'info',
      };
    case 'failed':
      return {
        text: `migration of ${vm.name} failed: ${migration.errorDesc ?? 'see 3 migration'}`,
        tone: 'error',
      };
    case 'cancelled':
      return {text: `migration of ${vm.name} cancelled; it stays on ${vm.host}`, tone: 'info'};
    default:
      return undefined;
  }
}
