import net from 'node:net';

const POLL_MS = 20;

/**
 * Waits until `condition` holds, checking every 20 ms of wall time: for a child process, which
 * says nothing when its socket or output is ready. After `limitMs` it throws `failure()` (a
 * function, so the message can show what the child said by then). A condition may be async (a
 * connect attempt); one that throws ends the wait with its error.
 */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  limitMs: number,
  failure: () => string,
): Promise<void> {
  for (let waitedMs = 0; !(await condition()); waitedMs += POLL_MS) {
    if (waitedMs > limitMs) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Whether a connection to the UNIX socket at `path` is accepted now; the probe connection is
 * closed at once. A socket file alone is not enough: a process binds before it listens (QEMU's
 * qemu/qemu util/qemu-sockets.c unix_listen_saddr: bind, then listen), and in that gap, or on a
 * crashed process's socket, connect(2) is refused. `onRefused` hears why (ENOENT, ECONNREFUSED).
 */
export function acceptsConnection(
  path: string,
  onRefused: (code: string) => void = () => undefined,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      onRefused(error.code ?? error.message);
      resolve(false);
    });
  });
}

/**
 * Waits (bounded) until a process listens on the UNIX socket at `path`, not only until the file is
 * there; `failure(lastRefusal)` is the message when it never does.
 */
export async function untilListening(
  path: string,
  limitMs: number,
  failure: (lastRefusal: string) => string,
): Promise<void> {
  let lastRefusal = 'no attempt';
  const refused = (code: string) => (lastRefusal = code);
  await pollUntil(
    () => acceptsConnection(path, refused),
    limitMs,
    () => failure(lastRefusal),
  );
}
