import {formatBytes} from '../../core/format-units.js';
import type {Guest} from '../guest.js';
import type {Host} from '../host.js';
import {isSecurePendingOf} from '../lifecycle/pending-work.js';
import type {Links} from './links.js';
import {PEF_NO_ULTRAVISOR_ERROR} from '../machine.js';

/** What the management stack needs to know before starting a migration. */
export interface MigrationCheck {
  readonly host: string;
  /** Empty when the destination would accept the guest. */
  readonly blockedReasons: string[];
}

/** QEMU's blocker for PEF guests (hw/ppc/pef.c). */
export const PEF_MIGRATION_BLOCKER = 'PEF: Migration is not implemented';

/** pef.c's blocker: a pef-guest machine on a mainline QEMU without the seed's secure migration. */
function pefBlocker(guest: Guest): string[] {
  const source = guest.host;
  const isBlocked =
    guest.hasConfidentialGuestSupport && source.stack === 'mainline' && !source.secureMigration;
  return isBlocked ? [PEF_MIGRATION_BLOCKER] : [];
}

/** A kexec into svm=on calls UV_ESM wherever the guest then is: a destination must take it as secure. */
function isSecureToMigrate(guest: Guest): boolean {
  return (
    guest.securityState === 'secure' ||
    guest.securityState === 'transitioning' ||
    isSecurePendingOf(guest.lifecycle)
  );
}

/**
 * A secure guest its source cannot send: the 2018-era stack's case (a pef-guest's source says why
 * in pefBlocker).
 */
function secureSourceBlocker(guest: Guest): string[] {
  const source = guest.host;
  const isBlocked = isSecureToMigrate(guest) && !source.secureMigration && !guest.hasConfidentialGuestSupport;
  return isBlocked ? [`${source.name} cannot migrate secure guests (no secure migration)`] : [];
}

/**
 * The blockers of the VM itself, whatever the destination: what its own QEMU would hold in
 * migration_blockers now, tried or not (qemu/qemu migration/migration.c
 * fill_source_migration_info). Each is also among migrationBlockers' reasons to every other host.
 */
export function vmMigrationBlockers(guest: Guest): string[] {
  return [...pefBlocker(guest), ...secureSourceBlocker(guest)];
}

/**
 * What the VM's QEMU options allow, secure or not. A pef-guest machine on a mainline QEMU carries
 * pef.c's blocker from machine start (qemu/qemu hw/ppc/pef.c kvmppc_svm_init,
 * migrate_add_blocker), whether or not the guest ever goes secure; a host with `secureMigration`
 * models the seed's future, where it does not. The destination QEMU must start the same machine:
 * the 2018-era QEMU has no confidential-guest-support, and a pef-guest needs an ultravisor.
 */
function machineBlockers(guest: Guest, destination: Host): string[] {
  if (!guest.hasConfidentialGuestSupport) return [];
  const reasons = pefBlocker(guest);
  if (destination.stack === '2018')
    reasons.push(
      `${destination.name} runs the 2018-era QEMU, which cannot start a machine with confidential-guest-support (pef-guest)`,
    );
  else if (!destination.ultravisor) reasons.push(`${destination.name}: ${PEF_NO_ULTRAVISOR_ERROR}`);
  return reasons;
}

/** A secure guest's needs: a source that can send it, a destination ultravisor that can take it. */
function secureBlockers(guest: Guest, destination: Host): string[] {
  const reasons = secureSourceBlocker(guest);
  const ultravisor = destination.ultravisor;
  if (!ultravisor) {
    if (!guest.hasConfidentialGuestSupport)
      reasons.push(`${destination.name} has no ultravisor: a secure guest cannot run there`);
    return reasons;
  }
  if (!destination.secureMigration)
    reasons.push(`${destination.name} cannot receive secure guests (no secure migration)`);
  if (destination.stack === 'mainline' && !guest.hasConfidentialGuestSupport)
    reasons.push(
      `${destination.name}'s KVM runs secure guests only for VMs started with confidential guest support (svm_enabled)`,
    );
  if (ultravisor.secureFreeBytes < guest.memory.sizeBytes)
    reasons.push(
      `${destination.name} has ${formatBytes(ultravisor.secureFreeBytes)} of secure memory free, ${guest.name} needs ${formatBytes(guest.memory.sizeBytes)}`,
    );
  return reasons;
}

/**
 * Why `guest` cannot move to `destination`, in the order a user should fix them; empty when it can.
 * The machine's own options first, then a secure guest's needs, then room on the destination.
 */
export function migrationBlockers(
  guest: Guest,
  destination: Host,
  links: Links,
  freeBytesOn: (host: Host) => number,
): string[] {
  const reasons: string[] = [];
  const source = guest.host;
  if (destination === source) return [`${guest.name} already runs on ${source.name}`];
  if (links.isDown(source.name, destination.name))
    reasons.push(`link ${source.name}-${destination.name} is down`);
  reasons.push(...machineBlockers(guest, destination));
  if (isSecureToMigrate(guest)) reasons.push(...secureBlockers(guest, destination));
  else if (
    guest.config.launchSecurity === 'required' &&
    !guest.hasConfidentialGuestSupport &&
    !destination.ultravisor
  ) {
    reasons.push(
      `${guest.name} is declared launchSecurity: required and ${destination.name} has no ultravisor`,
    );
  }
  if (freeBytesOn(destination) < guest.config.memory) {
    reasons.push(
      `${destination.name} has ${formatBytes(freeBytesOn(destination))} of memory free, ${guest.name} needs ${formatBytes(guest.config.memory)}`,
    );
  }
  return reasons;
}
