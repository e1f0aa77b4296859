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
 * The speeds `+` and `-` stop at (htop's -d steps likewise): the bounds and the powers of two between,
 * so that `-` after `+` returns exactly, 1000x included (halving it gave 0.98x).
 */
export const SPEED_STEPS: readonly number[] = [
  SPEED_MIN,
  ...Array.from({length: 16}, (_, index) => 2 ** (index - 6)), // 1/64 .. 512
  SPEED_MAX,
];

/**
 * `+` (factor > 1): the next step above the speed; `-` (factor < 1): the next step below. A speed
 * between steps (`--speed 3`) moves to the step beside it in that direction; at a bound it stays.
 */
export function stepSpeed(speed: number, factor: number): number {
  if (factor >= 1) return SPEED_STEPS.find((step) => step > speed) ?? speed;
  return SPEED_STEPS.findLast((step) => step < speed) ?? speed;
}

/** Which bound a speed is at, if any: the status line says so after a key. */
export function speedBoundOf(speed: number): 'fastest' | 'slowest' | null {
  if (speed >= SPEED_MAX) return 'fastest';
  if (speed <= SPEED_MIN) return 'slowest';
  return null;
}
