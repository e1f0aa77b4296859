/** `cpu-throttle-initial`, `cpu-throttle-increment`, and `max-cpu-throttle` (qemu/qemu migration/options.c). */
export const THROTTLE_INITIAL = 0.2;
export const THROTTLE_INCREMENT = 0.1;
export const THROTTLE_MAX = 0.99;

/** Auto-converge's vCPU throttle (qemu/qemu migration/ram.c `mig_throttle_guest_down`). */
export class AutoConverge {
  throttle = 0;

  /** Starts throttling at the initial share, or steps it up to the ceiling. @returns the new throttle */
  throttleDown(): number {
    this.throttle =
      this.throttle === 0 ? THROTTLE_INITIAL : Math.min(THROTTLE_MAX, this.throttle + THROTTLE_INCREMENT);
    return this.throttle;
  }
}
