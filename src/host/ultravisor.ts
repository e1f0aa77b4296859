import type {KeyObject} from 'node:crypto';
import {invariantBroken} from '../core/assert.js';
import {PageState, type GuestMemory} from '../core/guest-memory.js';
import type {UltravisorConfig} from './config/world-schema.js';
import {imageDigest, verifyDigest} from './ticket.js';

/** Why a secure transition failed, named as in the ultravisor and PAPR specifications. */
export type EsmFailureCode = 'H_UNSUPPORTED' | 'H_AUTHORITY' | 'U_PERMISSION' | 'U_RETRY';

export type UltravisorResult =
  | {readonly ok: true; readonly detail: string}
  | {readonly ok: false; readonly code: EsmFailureCode; readonly reason: string};

/** Who holds secure memory: a secure guest, a migration's reservation on its destination, another tenant. */
export type SecureHolder =
  | {readonly kind: 'guest'; readonly vm: string}
  | {readonly kind: 'incoming-migration'; readonly vm: string}
  | {readonly kind: 'other-tenant'};

function holderKey(holder: SecureHolder): string {
  return holder.kind === 'other-tenant' ? holder.kind : `${holder.kind}/${holder.vm}`;
}

export function describeHolder(holder: SecureHolder): string {
  if (holder.kind === 'guest') return holder.vm;
  return holder.kind === 'other-tenant' ? 'another tenant' : `${holder.vm} (incoming migration)`;
}

/** The ESM blob a guest presents: which owner key signed it and the signature. */
export interface Ticket {
  readonly key: string;
  readonly signature: string;
}

/**
 * A host's ultravisor (POWER PEF): owns secure memory, verifies ESM tickets against the owner
 * keys it trusts, converts pages, and shares or unshares them on a secure guest's request.
 */
export class Ultravisor {
  readonly secureMemoryBytes: number;
  readonly conversionBytesPerSecond: number;
  readonly exportBytesPerSecond: number;
  readonly trustedKeyNames: ReadonlySet<string>;
  readonly #keys: ReadonlyMap<string, KeyObject>;
  /** Secure memory by holder (keyed by `holderKey`). */
  readonly #held = new Map<string, {holder: SecureHolder; bytes: number}>();
  #secureUsedBytes = 0;

  constructor(config: UltravisorConfig, keys: ReadonlyMap<string, KeyObject>) {
    this.secureMemoryBytes = config.secureMemory;
    this.conversionBytesPerSecond = config.conversionRate;
    this.exportBytesPerSecond = config.exportRate;
    this.trustedKeyNames = new Set(config.trustedKeys);
    this.#keys = keys;
  }

  get secureUsedBytes(): number {
    return this.#secureUsedBytes;
  }

  /** Secure memory reserved for secure guests migrating here: a part of `secureUsedBytes`. */
  get secureIncomingBytes(): number {
    let bytes = 0;
    for (const held of this.#held.values())
      if (held.holder.kind === 'incoming-migration') bytes += held.bytes;
    return bytes;
  }

  get secureFreeBytes(): number {
    return this.secureMemoryBytes - this.#secureUsedBytes;
  }

  /** Verifies a ticket over the image bytes the guest loaded (UV_ESM's integrity check). */
  verifyTicket(image: Uint8Array, ticket: Ticket | null): UltravisorResult {
    const digest = imageDigest(image);
    const measured = `sha256:${digest.toString('hex').slice(0, 16)}`;
    if (!ticket) return {ok: false, code: 'U_PERMISSION', reason: `no ESM ticket in image ${measured}`};
    if (!this.trustedKeyNames.has(ticket.key))
      return {
        ok: false,
        code: 'U_PERMISSION',
        reason: `ticket signed by "${ticket.key}", a key this ultravisor does not trust`,
      };
    const key = this.#keys.get(ticket.key);
    if (!key || !verifyDigest(digest, ticket.signature, key)) {
      return {
        ok: false,
        code: 'U_PERMISSION',
        reason: `ticket signature by "${ticket.key}" does not verify for image ${measured}`,
      };
    }
    return {ok: true, detail: `ticket for image ${measured} signed by "${ticket.key}" verified`};
  }

  /** Reserves secure memory for `holder`; false (U_RETRY) when there is not enough. */
  reserve(holder: SecureHolder, bytes: number): boolean {
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      invariantBroken(
        `ultravisor: reserve of ${bytes} bytes for ${describeHolder(holder)} (must be a whole, non-negative count)`,
      );
    if (bytes > this.secureFreeBytes) return false;
    this.#secureUsedBytes += bytes;
    const key = holderKey(holder);
    this.#held.set(key, {holder, bytes: (this.#held.get(key)?.bytes ?? 0) + bytes});
    return true;
  }

  /** Gives back secure memory `holder` holds; releasing more than it holds is a bookkeeping bug. */
  release(holder: SecureHolder, bytes: number): void {
    const key = holderKey(holder);
    const held = this.#held.get(key)?.bytes ?? 0;
    if (bytes > held || bytes < 0)
      invariantBroken(
        `ultravisor: ${describeHolder(holder)} releases ${bytes} bytes of secure memory but holds ${held}`,
      );
    this.#secureUsedBytes -= bytes;
    if (held === bytes) this.#held.delete(key);
    else this.#held.set(key, {holder, bytes: held - bytes});
  }

  /** Hands what `from` holds to `to` (an incoming migration's reservation becomes the guest's). */
  transfer(from: SecureHolder, to: SecureHolder): void {
    const bytes = this.heldBy(from);
    this.#held.delete(holderKey(from));
    if (bytes > 0) this.#held.set(holderKey(to), {holder: to, bytes: this.heldBy(to) + bytes});
  }

  heldBy(holder: SecureHolder): number {
    return this.#held.get(holderKey(holder))?.bytes ?? 0;
  }

  /** Every holder and its bytes (the invariant checker accounts for each). */
  holdings(): Iterable<{readonly holder: SecureHolder; readonly bytes: number}> {
    return this.#held.values();
  }

  /** UV_PAGE_IN during ESM: pages move into secure memory, contents kept. */
  convert(memory: GuestMemory, firstPfn: number, count: number): void {
    checkRange('UV_PAGE_IN', memory, firstPfn, count);
    memory.setPageStates(firstPfn, count, PageState.secure);
  }

  /** UV_SHARE_PAGE: the page becomes reachable by the hypervisor and is zeroed. */
  share(memory: GuestMemory, firstPfn: number, count: number): void {
    checkRange('UV_SHARE_PAGE', memory, firstPfn, count);
    for (let pfn = firstPfn; pfn < firstPfn + count; pfn++) memory.zeroPage(pfn);
    memory.setPageStates(firstPfn, count, PageState.shared);
  }

  /** UV_UNSHARE_PAGE: back to secure, scrubbed. */
  unshare(memory: GuestMemory, firstPfn: number, count: number): void {
    checkRange('UV_UNSHARE_PAGE', memory, firstPfn, count);
    for (let pfn = firstPfn; pfn < firstPfn + count; pfn++) memory.zeroPage(pfn);
    memory.setPageStates(firstPfn, count, PageState.secure);
  }

  /** UV_SVM_TERMINATE: secure memory is scrubbed and every page handed back as normal. */
  terminate(memory: GuestMemory): void {
    for (let pfn = 0; pfn < memory.pageCount; pfn++) {
      if (memory.pageState(pfn) !== PageState.normal) memory.zeroPage(pfn);
    }
    memory.setPageStates(0, memory.pageCount, PageState.normal);
  }
}

/** A page range an ultracall names must lie inside the guest's memory. */
function checkRange(call: string, memory: GuestMemory, firstPfn: number, count: number): void {
  if (!(
    Number.isSafeInteger(firstPfn) &&
    count >= 0 &&
    firstPfn >= 0 &&
    firstPfn + count <= memory.pageCount
  ))
    invariantBroken(
      `ultravisor: ${call} of pages ${firstPfn}+${count} outside the guest's ${memory.pageCount} pages`,
    );
}
