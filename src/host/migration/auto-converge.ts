import type {ThrottleSteps} from './migration-params.js';

/** The ceiling any `max-cpu-throttle` may set (qemu/qemu migration/options.c migrate_params_check). */
export const THROTTLE_MAX = 0.99;
/**
 * `throttle-trigger-threshold` (default 50): a sync "outran" the transfer when the guest dirtied
 * more than this share of what was sent in the same period (migration/ram.c
 * `migration_trigger_throttle`).
 */
export const THROTTLE_TRIGGER_THRESHOLD = 0.5;
/** Throttling starts or steps up after this many syncs that outran the transfer. */
const SYNCS_BEFORE_THROTTLE = 2;

/** Auto-converge: after syncs where dirtying outran the transfer, take more vCPU time away. */
export class AutoConverge {
  throttle = 0;
  #outranCount = 0;

  /**
   * One bitmap sync, with the throttle steps in force now. @returns the new throttle when it changed, null otherwise
   */
  onSync(bytesDirtied: number, bytesSentInPass: number, steps: ThrottleSteps): number | null {
    if (bytesDirtied <= bytesSentInPass * THROTTLE_TRIGGER_THRESHOLD) return null;
    if (++this.#outranCount < SYNCS_BEFORE_THROTTLE) return null;
    this.#outranCount = 0;
    // migration/ram.c mig_throttle_guest_down: initial first, then up by the increment to the ceiling.
    const {throttleInitialPercent, throttleIncrementPercent, throttleMaxPercent} = steps;
    const next =
      this.throttle === 0 ? throttleInitialPercent / 100 : this.throttle + throttleIncrementPercent / 100;
    this.throttle = Math.min(throttleMaxPercent / 100, THROTTLE_MAX, next);
    return this.throttle;
  }
}
