/** What every benchmark times with: CPU seconds of a piece of work, and the median of rounds. */

/** CPU seconds (user + system) of `work`, after a collection so it does not pay for earlier garbage. */
export function cpuSecondsOf(work: () => void): number {
  (globalThis as {gc?: () => void}).gc?.();
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The middle value (the upper middle of an even count). */
export function medianOf(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
