import {formatBytes} from '../core/format-units.js';
import {KiB, MiB} from '../core/units.js';
import type {CheckedResult, Guest} from './guest.js';
import type {BalloonReasonCode} from './snapshot-types.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';

/**
 * Whether a guest's balloon takes a new target now (`available`), and why not or what it is limited
 * to (code and words): a secure guest's balloon is available for deflating only.
 */
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
  "its pages are secure: QEMU discards them (PEF leaves RAM discard enabled), but a secure page lives in the ultravisor's memory, so KVM only drops its device-private PFN and the host reclaims nothing";

/**
 * A secure guest's balloon is deflate only: a larger target needs force. Inflating gives the
 * host nothing (`discardGivesRam`); deflating is the driver's leak_balloon, which tells the host on
 * the deflate queue and frees the pages back to the guest (torvalds/linux
 * drivers/virtio/virtio_balloon.c leak_balloon), and QEMU only hints them back in (qemu/qemu
 * hw/virtio/virtio-balloon.c balloon_deflate_page, MADV_WILLNEED): nothing there cares whether
 * the guest is secure.
 */
function isDeflateOnly(guest: Guest): boolean {
  return guest.isProtected;
}

/**
 * The one place that decides what a balloon can do: the snapshot shows it, the command obeys it.
 * The balloon driver always clears ACCESS_PLATFORM (torvalds/linux drivers/virtio/virtio_balloon.c
 * virtballoon_validate), so a balloon offered it fails probe in any guest (`acceptsFeaturesOk`),
 * and under restricted memory access a secure kernel refuses it first. A working balloon in a
 * secure guest deflates freely and inflates only when forced (`isDeflateOnly`).
 */
export function balloonAvailability(guest: Guest, backend: BalloonBackend): BalloonAvailability {
  const driver = guest.driverFor(backend);
  const refusal = refusalOf(guest, backend);
  if (refusal) return refusal;
  if (backend.isBroken)
    return unavailable('device-broken', `device needs reset: ${backend.errorMessage ?? 'error'}`);
  if (!driver?.isReady) return unavailable('no-driver', `no balloon driver bound (guest ${guest.state})`);
  if (isDeflateOnly(guest))
    return {
      available: true,
      reasonCode: 'deflate-only',
      reason: `deflate only (inflating needs force): ${SECURE_BALLOON_REASON}`,
    };
  return {available: true, reasonCode: null, reason: null};
}

/** The balloon command's decision, the target it would set, and whether it inflates secure pages. */
export interface BalloonDecision {
  readonly result: CheckedResult;
  readonly targetPages: number;
  readonly backend?: BalloonBackend;
  /** A larger target on a secure guest: the pages it takes give the host nothing. */
  readonly isSecureInflate?: boolean;
}

/** The balloon command's decision (after the lifecycle accepted it), and the target it would set. */
export function decideBalloon(guest: Guest, targetBytes: number, isForced: boolean): BalloonDecision {
  const backend = guest.balloonBackend;
  if (!backend)
    return {
      result: {ok: false, code: 'no-balloon', reason: `${guest.name} has no virtio-balloon device`},
      targetPages: 0,
    };
  const refused = refusedOf(guest, backend);
  if (refused) return {result: refused, targetPages: 0};
  const capacityPages = guest.layout.balloonHighestPfn - guest.layout.balloonLowestPfn + 1;
  const targetPages = Math.max(0, Math.min(Math.floor(targetBytes / BALLOON_PAGE_BYTES), capacityPages));
  const cut = targetPages < Math.floor(targetBytes / BALLOON_PAGE_BYTES) ? targetBytes : null;
  // Only a larger balloon discards more pages; a smaller one hands pages back to the guest.
  const isSecureInflate = isDeflateOnly(guest) && targetPages > backend.targetPages;
  if (isSecureInflate && !isForced)
    return {
      result: {
        ok: false,
        code: 'memory-protected',
        reason: `${guest.name} is ${guest.securityState}: ${SECURE_BALLOON_REASON}${faultOf(guest, backend)} (force to inflate anyway)`,
      },
      targetPages: 0,
    };
  const forced = isSecureInflate ? ', forced on a secure guest' : '';
  return {
    result: {ok: true, message: `${answerOf(backend, targetPages, capacityPages, cut)}${forced}`},
    targetPages,
    backend,
    isSecureInflate,
  };
}

/**
 * The balloon command's refusal for a balloon that cannot take a target at all, in
 * balloonAvailability's words. A broken device takes no new target: QEMU's qmp_balloon still
 * answers {} (softmmu/balloon.c), but virtio_notify_config never reaches a broken device
 * (hw/virtio/virtio.c virtio_notify_vector, virtio_device_disabled); svmtop refuses.
 */
function refusedOf(guest: Guest, backend: BalloonBackend): CheckedResult | undefined {
  const {reasonCode, reason} = balloonAvailability(guest, backend);
  switch (reasonCode) {
    case 'device-broken':
      return {ok: false, code: 'balloon-broken', reason: `${guest.name}'s balloon ${reason}`};
    case 'features-refused':
    case 'refused-at-probe':
      return {ok: false, code: 'balloon-refused', reason: `no balloon driver: ${reason}`};
    default:
      return undefined;
  }
}

/**
 * A secure guest's driver bound without ACCESS_PLATFORM uses raw addresses (decideDma's `direct`):
 * QEMU reads its rings in secure memory, ciphertext, and the device faults on the first inflate.
 */
function faultOf(guest: Guest, backend: BalloonBackend): string {
  return guest.isProtected && guest.driverFor(backend)?.mode === 'direct'
    ? '; its balloon has no ACCESS_PLATFORM, so QEMU reads its rings at raw addresses in secure memory and the device will fault'
    : '';
}

/** What forcing a secure inflation will do, in words (the dashboard's question). */
export function forcedInflateWords(guest: Guest): string {
  const backend = guest.balloonBackend;
  return `its memory is secure, so the host would reclaim nothing${backend ? faultOf(guest, backend) : ''}`;
}

/**
 * What a new target changes, in words: nothing, at the balloon's limit (`b` pressed again) or where
 * it already is (`B` on an empty balloon), rather than the same target again.
 */
function answerOf(
  backend: BalloonBackend,
  targetPages: number,
  capacityPages: number,
  askedBytes: number | null,
): string {
  const target = formatBytes(targetPages * BALLOON_PAGE_BYTES);
  if (backend.targetPages !== targetPages && askedBytes !== null)
    return `target ${exactSize(targetPages * BALLOON_PAGE_BYTES)}, the most its balloon holds (asked ${exactSize(askedBytes)}; the guest keeps its kernel, heap and bounce buffers)`;
  if (backend.targetPages !== targetPages) return `target ${target}`;
  if (targetPages === capacityPages) return `already at its limit ${target}, nothing to change`;
  if (backend.actualPages === targetPages) return `already at its target ${target}, nothing to change`;
  return `target ${target}`;
}

/** A size that names a cut exactly: whole MiB, else KiB, else bytes (formatBytes rounds 2.97GiB to 3.0GiB). */
function exactSize(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB}MiB`;
  return bytes % KiB === 0 ? `${bytes / KiB}KiB` : `${bytes}B`;
}

function unavailable(reasonCode: BalloonReasonCode, reason: string): BalloonAvailability {
  return {available: false, reasonCode, reason};
}
