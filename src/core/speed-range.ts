/**
 * The simulation speeds svmtop runs at, in simulated seconds per wall second: one range for
 * `--speed`, the remembered preference and the `+`/`-` keys.
 */
export const SPEED_MIN = 0.01;
export const SPEED_MAX = 1000;
/** The range in words, each bound followed by `unit`: `0.01 to 1000` (`--speed`), `0.01x to 1000x` (the status line). */
export function speedRangeText(unit = ''): string {
  return `${SPEED_MIN}${unit} to ${SPEED_MAX}${unit}`;
}

/** The range as `--speed`'s error and `--help` state it. */
export const SPEED_RANGE_TEXT = speedRangeText();

export function isSpeedInRange(speed: number): boolean {
  return speed >= SPEED_MIN && speed <= SPEED_MAX;
}

/**
 * `+` (factor > 1) or `-` (factor < 1): the speed times the factor, held to the range, and never
 * moved against the key (a speed already past a bound stays where it is).
 */
export function stepSpeed(speed: number, factor: number): number {
  const next = Math.min(SPEED_MAX, Math.max(SPEED_MIN, speed * factor));
  return factor >= 1 ? Math.max(speed, next) : Math.min(speed, next);
}

/** Which bound a speed is at, if any: the status line says so after a key. */
export function speedBoundOf(speed: number): 'fastest' | 'slowest' | null {
  if (speed >= SPEED_MAX) return 'fastest';
  if (speed <= SPEED_MIN) return 'slowest';
  return null;
}
