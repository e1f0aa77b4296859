import {invariantBroken} from '../core/assert.js';
import {formatBytes} from '../core/format-units.js';
import type {Guest} from './guest.js';
import type {SimContext} from './sim-context.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';

/** Rates a world's sampler keeps per guest (once per simulated second). */
export interface GuestRates {
  readonly bytesPerSecond: number;
  readonly requestsPerSecond: number;
  readonly swiotlbHistory: readonly number[];
  readonly swiotlbRecentPeak: number;
}

/** Samples are taken once per simulated second; histories keep this many. */
export const STATS_INTERVAL_US = 1_000_000;
export const HISTORY_SAMPLES = 60;

interface Sampled {
  lastBytes: number;
  lastRequests: number;
  bytesPerSecond: number;
  requestsPerSecond: number;
  history: number[];
  recentPeak: number;
  /** The balloon size the last "balloon:" event reported. */
  reportedBalloonPages: number;
}

/**
 * Per-guest rates sampled once per simulated second: I/O bytes and requests, the bounce pool's
 * peak use; and the balloon's "inflated X, reclaimed Y" line when it reaches its target.
 */
export class GuestStats {
  readonly #context: SimContext;
  readonly #sampled = new Map<string, Sampled>();

  constructor(context: SimContext) {
    this.#context = context;
  }

  /** Starts sampling every second over `guests`; `onSampled` runs after each round. */
  start(guests: () => Iterable<Guest>, onSampled: () => void): void {
    // One closure for every round, not one a round: it loops over every guest, and a closure's
    // optimized code is lost once none made at its site lives (src/views/column-layout.ts).
    const sampleRound = (): void => {
      for (const guest of guests()) this.#sample(guest);
      onSampled();
      this.#context.scheduler.after(STATS_INTERVAL_US, sampleRound);
    };
    this.#context.scheduler.after(STATS_INTERVAL_US, sampleRound);
  }

  track(name: string): void {
    if (this.#sampled.has(name)) invariantBroken(`guest stats: ${name} tracked twice`);
    this.#sampled.set(name, {
      lastBytes: 0,
      lastRequests: 0,
      bytesPerSecond: 0,
      requestsPerSecond: 0,
      history: [],
      recentPeak: 0,
      reportedBalloonPages: 0,
    });
  }

  forget(name: string): void {
    this.#sampled.delete(name);
  }

  rates(name: string): GuestRates {
    const sampled = this.#sampled.get(name);
    if (!sampled) return {bytesPerSecond: 0, requestsPerSecond: 0, swiotlbHistory: [], swiotlbRecentPeak: 0};
    return {
      bytesPerSecond: sampled.bytesPerSecond,
      requestsPerSecond: sampled.requestsPerSecond,
      swiotlbHistory: [...sampled.history],
      swiotlbRecentPeak: sampled.recentPeak,
    };
  }

  #sample(guest: Guest): void {
    const sampled = this.#sampled.get(guest.name);
    if (!sampled) return;
    let bytes = 0;
    for (const backend of guest.backends) bytes += backend.bytesToDevice + backend.bytesFromDevice;
    let requests = 0;
    for (const totals of guest.deviceTotals) {
      requests += totals.completed + totals.failed;
      bytes += totals.bytesToDevice + totals.bytesFromDevice;
    }
    for (const driver of guest.kernel?.allDrivers() ?? []) requests += driver.completed + driver.failed;
    sampled.bytesPerSecond = Math.max(0, bytes - sampled.lastBytes);
    sampled.requestsPerSecond = Math.max(0, requests - sampled.lastRequests);
    sampled.lastBytes = bytes;
    sampled.lastRequests = requests;
    sampled.recentPeak = guest.kernel?.swiotlb?.takeWindowPeak() ?? 0;
    sampled.history.push(sampled.recentPeak);
    if (sampled.history.length > HISTORY_SAMPLES) sampled.history.shift();
    this.#reportBalloon(guest, sampled);
  }

  /**
   * When the balloon reaches its target, says which way it went and what the host holds
   * ("inflated 512MiB, reclaimed 0B"; "deflated to 256MiB (256MiB back to the guest), ...").
   */
  #reportBalloon(guest: Guest, sampled: Sampled): void {
    const backend = guest.balloonBackend;
    if (!backend) return;
    // A reset guest starts with an empty balloon: its refill is news again.
    if (backend.actualPages === 0 && backend.targetPages > 0) sampled.reportedBalloonPages = 0;
    if (backend.actualPages !== backend.targetPages) return;
    const pages = backend.actualPages;
    const reportedPages = sampled.reportedBalloonPages;
    if (pages === reportedPages) return;
    sampled.reportedBalloonPages = pages;
    const size = formatBytes(pages * BALLOON_PAGE_BYTES);
    const change = formatBytes(Math.abs(pages - reportedPages) * BALLOON_PAGE_BYTES);
    const held = formatBytes(backend.reclaimedBytes);
    const what =
      pages < reportedPages
        ? `deflated to ${size} (${change} back to the guest); the host keeps ${held} reclaimed`
        : reportedPages === 0
          ? `inflated ${size}, reclaimed ${held}`
          : `inflated to ${size} (${change} more), reclaimed ${held}`;
    this.#context.emit(
      guest.name,
      'balloon',
      backend.unreclaimedPages > 0 ? 'warning' : 'info',
      `balloon: ${what}`,
    );
  }
}
