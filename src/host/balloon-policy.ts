import {formatSize} from '../core/units.js';
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

export function balloonBackendOf(guest: Guest): BalloonBackend | undefined {
  return guest.backends.find((candidate) => candidate.type === 'balloon') as BalloonBackend | undefined;
}

/**
 * The one place that decides what a balloon can do: the snapshot shows it, the command obeys it.
 * PEF does not disable RAM discard the way s390 PV, SEV and TDX do (qemu/qemu
 * hw/virtio/virtio-balloon.c `virtio_balloon_inhibited`), so QEMU would inflate; the host just
 * gets nothing back from a protected guest's pages.
 */
export function balloonAvailability(guest: Guest, backend: BalloonBackend): BalloonAvailability {
  const driver = guest.driverFor(backend);
  if (driver?.status === 'refused')
    return unavailable(
      'refused-at-probe',
      `refused at probe: ${driver.refusalMessage} (restricted DMA policy, secure guest)`,
    );
  if (backend.isBroken)
    return unavailable('device-broken', `device needs reset: ${backend.errorMessage ?? 'error'}`);
  if (guest.isProtected)
    return unavailable('memory-protected', 'guest memory is secure: the host cannot reclaim ballooned pages');
  if (!driver?.isReady) return unavailable('no-driver', `no balloon driver bound (guest ${guest.state})`);
  return {available: true, reasonCode: null, reason: null};
}

/** The balloon command's decision (after the lifecycle accepted it), and the target it would set. */
export function decideBalloon(
  guest: Guest,
  targetBytes: number,
  isForced: boolean,
): {readonly result: CheckedResult; readonly targetPages: number; readonly backend?: BalloonBackend} {
  const backend = balloonBackendOf(guest);
  if (!backend)
    return {
      result: {ok: false, code: 'no-balloon', reason: `${guest.name} has no virtio-balloon device`},
      targetPages: 0,
    };
  const driver = guest.driverFor(backend);
  if (driver?.status === 'refused')
    return {
      result: {
        ok: false,
        code: 'balloon-refused',
        reason: `the balloon was refused at probe: ${driver.refusalMessage} (dmaPolicy restricted, guest secure)`,
      },
      targetPages: 0,
    };
  if (guest.isProtected && !isForced)
    return {
      result: {
        ok: false,
        code: 'memory-protected',
        reason: `${guest.name} is ${guest.securityState}: its pages are secure, so the host would reclaim nothing (force to inflate anyway)`,
      },
      targetPages: 0,
    };
  const capacityPages = guest.layout.balloonHighestPfn - guest.layout.balloonLowestPfn + 1;
  const targetPages = Math.max(0, Math.min(Math.floor(targetBytes / BALLOON_PAGE_BYTES), capacityPages));
  const forced = isForced && guest.isProtected ? ', forced on a secure guest' : '';
  return {
    result: {ok: true, message: `target ${formatSize(targetPages * BALLOON_PAGE_BYTES)}${forced}`},
    targetPages,
    backend,
  };
}

function unavailable(reasonCode: BalloonReasonCode, reason: string): BalloonAvailability {
  return {available: false, reasonCode, reason};
}
