import {linkSync, lstatSync, unlinkSync, type Stats} from 'node:fs';
import net from 'node:net';

/**
 * What is at a socket path: nothing; a socket nobody listens on (a crashed run's, replaced);
 * one another process listens on (never replaced); or something else (left alone, reported).
 */
export type SocketPathState = 'absent' | 'stale' | 'live' | 'not-socket';

/**
 * A socket is stale only when connecting to it is refused (ECONNREFUSED: nobody listens). Any
 * other answer — a connection, or EAGAIN from a listener whose backlog is full — means a process
 * holds it. QEMU does not ask: it unlinks whatever is there (qemu/qemu util/qemu-sockets.c
 * unix_listen_saddr), so a second QEMU takes a live one's monitor; svmtop is stricter.
 */
export async function socketPathState(path: string): Promise<SocketPathState> {
  const stat = lstatIfAny(path);
  if (!stat) return 'absent';
  if (!stat.isSocket()) return 'not-socket';
  const refusal = await new Promise<string | undefined>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(undefined);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  if (refusal === 'ECONNREFUSED') return 'stale';
  if (refusal === 'ENOENT') return 'absent';
  return 'live';
}

/** Clears a path for a new socket: removes a stale one; throws, naming the path, for anything else there. */
export async function clearSocketPath(path: string): Promise<void> {
  const state = await socketPathState(path);
  if (state === 'live') throw new Error(liveSocketMessage(path));
  if (state === 'not-socket') throw new Error(`${path} exists and is not a socket; not replacing it`);
  if (state === 'stale') unlinkSync(path);
}

/**
 * Gives the socket at `own` the name `path`, never replacing what is there: link(2) fails with
 * EEXIST where rename(2) would replace it (man 2 link), so one that appeared since the check is
 * decided again (a stale one removed, once). The inode stays the same: its identity holds.
 */
export async function linkSocketInto(own: string, path: string): Promise<void> {
  try {
    linkSync(own, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await clearSocketPath(path);
    linkSync(own, path);
  }
  unlinkSync(own);
}

export const liveSocketMessage = (path: string) =>
  `another process is listening on ${path}; not replacing it`;

/** A socket file's identity: a path someone else replaced has another one. */
export interface SocketIdentity {
  readonly dev: number;
  readonly ino: number;
}

export function socketIdentity(path: string): SocketIdentity {
  const {dev, ino} = lstatSync(path);
  return {dev, ino};
}

/** Synchronously unlinks the socket at `path` if it is still the one `identity` names. */
export function removeOwnSocket(path: string, identity: SocketIdentity): void {
  const stat = lstatIfAny(path);
  if (!stat?.isSocket() || stat.dev !== identity.dev || stat.ino !== identity.ino) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone meanwhile: nothing left to remove.
  }
}

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
