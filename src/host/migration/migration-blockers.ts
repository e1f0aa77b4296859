import {formatSize} from '../../core/units.js';
import type {Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {Links} from './links.js';

/** What the management stack needs to know before starting a migration. */
export interface MigrationCheck {
  readonly host: string;
  /** Empty when the destination would accept the guest. */
  readonly blockedReasons: string[];
}

/** QEMU's blocker for PEF guests (hw/ppc/pef.c). */
export const PEF_MIGRATION_BLOCKER = 'PEF: Migration is not implemented';

/**
 * Why `guest` cannot move to `destination`, in the order a user should fix them; empty when it can.
 * Secure guests need a source that can migrate them and a destination ultravisor with room.
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
  const isSecure = guest.securityState === 'secure' || guest.securityState === 'transitioning';
  if (isSecure) {
    if (!source.secureMigration) reasons.push(PEF_MIGRATION_BLOCKER);
    const ultravisor = destination.ultravisor;
    if (!ultravisor) reasons.push(`${destination.name} has no ultravisor: a secure guest cannot run there`);
    else {
      if (!destination.secureMigration)
        reasons.push(`${destination.name} cannot receive secure guests (no secure migration)`);
      if (ultravisor.secureFreeBytes < guest.memory.sizeBytes) {
        reasons.push(
          `${destination.name} has ${formatSize(ultravisor.secureFreeBytes)} of secure memory free, ${guest.name} needs ${formatSize(guest.memory.sizeBytes)}`,
        );
      }
    }
  } else if (guest.config.launchSecurity === 'required' && !destination.ultravisor) {
    reasons.push(
      `${guest.name} is declared launchSecurity: required and ${destination.name} has no ultravisor`,
    );
  }
  if (freeBytesOn(destination) < guest.config.memory) {
    reasons.push(
      `${destination.name} has ${formatSize(freeBytesOn(destination))} of memory free, ${guest.name} needs ${formatSize(guest.config.memory)}`,
    );
  }
  return reasons;
}
