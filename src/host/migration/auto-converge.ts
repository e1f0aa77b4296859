/** `cpu-throttle-initial`, `cpu-throttle-increment`, and `max-cpu-throttle` (qemu/qemu migration/options.c). */
export const THROTTLE_INITIAL = 0.2;
export const THROTTLE_INCREMENT = 0.1;
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
   * One bitmap sync. @returns the new throttle when it changed, null otherwise
   */
  onSync(bytesDirtied: number, bytesSentInPass: number): number | null {
    if (bytesDirtied <= bytesSentInPass * THROTTLE_TRIGGER_THRESHOLD) return null;
    if (++this.#outranCount < SYNCS_BEFORE_THROTTLE) return null;
    this.#outranCount = 0;
    this.throttle =
      this.throttle === 0 ? THROTTLE_INITIAL : Math.min(THROTTLE_MAX, this.throttle + THROTTLE_INCREMENT);
    return this.throttle;
  }
}
