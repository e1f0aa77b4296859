import {formatBytes} from '../core/format-units.js';
import type {CheckedResult, Guest} from './guest.js';
import type {BalloonReasonCode} from './snapshot-types.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';

/** Whether inflating a guest's balloon would give the host memory, and if not, why (code and words). */
export interface BalloonAvailability {
  readonly available: boolean;
  readonly reasonCode: BalloonReasonCode | null;
  readonly reason: string | null;
}

/** Why the balloon driver did not bind, in the words of whichever side refused it. */
function refusalOf(guest: Guest, backend: BalloonBackend): BalloonAvailability | undefined {
  const driver = guest.driverFor(backend);
  if (driver?.status !== 'refused') return undefined;
  if (driver.refusalCode === 'features-refused')
    return unavailable(
      'features-refused',
      `QEMU refuses FEATURES_OK (${driver.refusalMessage}): the device offers ACCESS_PLATFORM${backend.identity.isAccessPlatformForced ? ', forced by confidential guest support,' : ''} and virtio_balloon always clears it`,
    );
  return unavailable(
    'refused-at-probe',
    `the guest kernel refused it at probe: ${driver.refusalMessage} (restricted memory access, secure guest)`,
  );
}

/** What inflating gives back in a guest whose pages are secure (`discardGivesRam`), in words. */
export const SECURE_BALLOON_REASON =
  'its pages are secure: QEMU discards them (PEF leaves RAM discard enabled), but a secure page lives in the ultravisor’s memory, so KVM only drops its device-private PFN and the host reclaims nothing';

/**
 * The one place that decides what a balloon can do: the snapshot shows it, the command obeys it.
 * The balloon driver always clears ACCESS_PLATFORM (torvalds/linux drivers/virtio/virtio_balloon.c
 * virtballoon_validate), so a balloon offered it fails probe in any guest (`acceptsFeaturesOk`),
 * and under restricted memory access a secure kernel refuses it first. A working balloon in a
 * secure guest inflates, and the host gets nothing back (`discardGivesRam`).
 */
export function balloonAvailability(guest: Guest, backend: BalloonBackend): BalloonAvailability {
  const driver = guest.driverFor(backend);
  const refusal = refusalOf(guest, backend);
  if (refusal) return refusal;
  if (backend.isBroken)
    return unavailable('device-broken', `device needs reset: ${backend.errorMessage ?? 'error'}`);
  if (guest.isProtected) return unavailable('memory-protected', SECURE_BALLOON_REASON);
  if (!driver?.isReady) return unavailable('no-driver', `no balloon driver bound (guest ${guest.state})`);
  return {available: true, reasonCode: null, reason: null};
}

/** The balloon command's decision (after the lifecycle accepted it), and the target it would set. */
export function decideBalloon(
  guest: Guest,
  targetBytes: number,
  isForced: boolean,
): {readonly result: CheckedResult; readonly targetPages: number; readonly backend?: BalloonBackend} {
  const backend = guest.balloonBackend;
  if (!backend)
    return {
      result: {ok: false, code: 'no-balloon', reason: `${guest.name} has no virtio-balloon device`},
      targetPages: 0,
    };
  const refusal = refusalOf(guest, backend);
  if (refusal)
    return {
      result: {ok: false, code: 'balloon-refused', reason: `no balloon driver: ${refusal.reason}`},
      targetPages: 0,
    };
  const capacityPages = guest.layout.balloonHighestPfn - guest.layout.balloonLowestPfn + 1;
  const targetPages = Math.max(0, Math.min(Math.floor(targetBytes / BALLOON_PAGE_BYTES), capacityPages));
  // Only a larger balloon discards more pages; a smaller one hands pages back to the guest.
  const isSecureInflate = guest.isProtected && targetPages > backend.targetPages;
  if (isSecureInflate && !isForced)
    return {
      result: {
        ok: false,
        code: 'memory-protected',
        reason: `${guest.name} is ${guest.securityState}: ${SECURE_BALLOON_REASON} (force to inflate anyway)`,
      },
      targetPages: 0,
    };
  const forced = isSecureInflate ? ', forced on a secure guest' : '';
  return {
    result: {ok: true, message: `target ${formatBytes(targetPages * BALLOON_PAGE_BYTES)}${forced}`},
    targetPages,
    backend,
  };
}

function unavailable(reasonCode: BalloonReasonCode, reason: string): BalloonAvailability {
  return {available: false, reasonCode, reason};
}
