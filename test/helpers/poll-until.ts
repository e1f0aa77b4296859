const POLL_MS = 20;

/**
 * Waits until `condition` holds, checking every 20 ms of wall time: for a child process, which
 * says nothing when its socket or output is ready. After `limitMs` it throws `failure()` (a
 * function, so the message can show what the child said by then).
 */
export async function pollUntil(
  condition: () => boolean,
  limitMs: number,
  failure: () => string,
): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += POLL_MS) {
    if (waitedMs > limitMs) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
