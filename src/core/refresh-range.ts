/**
 * The dashboard's refresh interval: one range for `--refresh` and the remembered preference
 * (htop's -d takes 0.1 s to 10 s; svmtop goes to a minute for slow links).
 */
export const REFRESH_MIN_MS = 100;
export const REFRESH_MAX_MS = 60_000;

/** The range in words, as `--refresh`'s error and `--help` state it. */
export const REFRESH_RANGE_TEXT = `${REFRESH_MIN_MS} ms to ${REFRESH_MAX_MS / 1000} s`;

/**
 * Checks a refresh interval in microseconds (as `--refresh` parses it).
 * @returns why it is refused (without the flag), or undefined when it is fine
 */
export function checkRefreshInterval(refreshUs: number): string | undefined {
  if (refreshUs >= REFRESH_MIN_MS * 1000 && refreshUs <= REFRESH_MAX_MS * 1000) return undefined;
  return `expected a refresh interval from ${REFRESH_RANGE_TEXT}`;
}
