import {decideBalloon} from './balloon-policy.js';
import type {Cluster} from './cluster.js';
import type {DmaPolicy, WorkloadConfig} from './config/world-schema.js';
import type {CheckedResult, Guest} from './guest.js';
import type {LifecycleCommand} from './lifecycle/lifecycle.js';
import type {MigrationService} from './migration/migration-service.js';
import type {MigrationParams} from './migration/migration-params.js';

/** A management command on one guest, from a key, a scenario step, QMP or a dry run. */
export type GuestCommand =
  | {readonly do: 'pause' | 'resume' | 'reboot' | 'secure' | 'unsecure' | 'migrate-cancel'}
  | {readonly do: 'balloon'; readonly targetBytes: number; readonly isForced: boolean}
  | {readonly do: 'policy'; readonly policy: DmaPolicy}
  | {readonly do: 'workload'; readonly workload: WorkloadConfig}
  | {readonly do: 'migrate'; readonly to: string; readonly params: Partial<MigrationParams>};

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
  command: GuestCommand,
  isDryRun: boolean,
): CheckedResult {
  const lifecycle = (event: LifecycleCommand): CheckedResult =>
    isDryRun ? guest.check(event) : guest.dispatch(event);
  switch (command.do) {
    case 'pause':
    case 'resume':
    case 'reboot':
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
      const destination = parts.cluster.hosts.get(command.to);
      if (!destination) return {ok: false, code: 'no-such-host', reason: `no host named "${command.to}"`};
      const accepted = guest.check({type: 'migrate'});
      if (!accepted.ok) return accepted;
      return parts.migrations.start(guest, destination, command.params, isDryRun);
    }
    case 'migrate-cancel':
      return parts.migrations.cancel(guest.name, isDryRun);
  }
}

function balloon(guest: Guest, targetBytes: number, isForced: boolean, isDryRun: boolean): CheckedResult {
  const accepted = guest.check({type: 'balloon'});
  if (!accepted.ok) return accepted;
  const decision = decideBalloon(guest, targetBytes, isForced);
  if (decision.result.ok && !isDryRun) decision.backend?.setTarget(decision.targetPages);
  return decision.result;
}
