import type {ThrottleSteps} from './migration-params.js';

/** The ceiling any `max-cpu-throttle` may set (qemu/qemu migration/options.c migrate_params_check). */
export const THROTTLE_MAX = 0.99;

/** Auto-converge's vCPU throttle (qemu/qemu migration/ram.c `mig_throttle_guest_down`). */
export class AutoConverge {
  throttle = 0;

  /**
   * Starts throttling at `cpu-throttle-initial`, or steps it up by `cpu-throttle-increment` to
   * `max-cpu-throttle`, the steps in force now. @returns the new throttle
   */
  throttleDown(steps: ThrottleSteps): number {
    const {throttleInitialPercent, throttleIncrementPercent, throttleMaxPercent} = steps;
    const next =
      this.throttle === 0 ? throttleInitialPercent / 100 : this.throttle + throttleIncrementPercent / 100;
    this.throttle = Math.min(throttleMaxPercent / 100, THROTTLE_MAX, next);
    return this.throttle;
  }
}
