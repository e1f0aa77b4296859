import {linkSync, lstatSync, unlinkSync, type Stats} from 'node:fs';
import net from 'node:net';
import {getSystemErrorMap} from 'node:util';

/**
 * What is at a socket path: nothing; a socket nobody listens on (a crashed run's, replaced);
 * one another process listens on (never replaced); one the probe cannot connect to for another
 * reason, so nobody can say (never replaced); or something else (left alone, reported).
 */
export type SocketPathState = 'absent' | 'stale' | 'live' | 'unreachable' | 'not-socket';

export interface SocketPathFinding {
  readonly state: SocketPathState;
  /** The probe's connect error, for `unreachable` (EACCES, say). */
  readonly errorCode?: string;
}

/** Connects to a socket path once: the connect error's code, or undefined when it connected. */
export type SocketProbe = (path: string) => Promise<string | undefined>;

const connectProbe: SocketProbe = (path) =>
  new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(undefined);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

/**
 * A socket is stale only when connecting to it is refused (ECONNREFUSED: nobody listens). A
 * connection, or EAGAIN from a listener whose backlog is full, means a process holds it; any other
 * error (EACCES on a socket without write permission, man 7 unix) means nobody can tell. QEMU does
 * not ask: it unlinks whatever is there (qemu/qemu util/qemu-sockets.c unix_listen_saddr), so a
 * second QEMU takes a live one's monitor; svmtop is stricter.
 */
export async function inspectSocketPath(path: string, probe = connectProbe): Promise<SocketPathFinding> {
  const stat = lstatIfAny(path);
  if (!stat) return {state: 'absent'};
  if (!stat.isSocket()) return {state: 'not-socket'};
  const errorCode = await probe(path);
  if (errorCode === undefined || errorCode === 'EAGAIN') return {state: 'live'};
  if (errorCode === 'ECONNREFUSED') return {state: 'stale'};
  if (errorCode === 'ENOENT') return {state: 'absent'};
  return {state: 'unreachable', errorCode};
}

/** The state alone (see inspectSocketPath). */
export async function socketPathState(path: string, probe = connectProbe): Promise<SocketPathState> {
  return (await inspectSocketPath(path, probe)).state;
}

/** Why svmtop will not put its socket at `path`, or null when it may (nothing there, or stale). */
export function socketPathRefusal(path: string, finding: SocketPathFinding): string | null {
  switch (finding.state) {
    case 'absent':
    case 'stale':
      return null;
    case 'live':
      return liveSocketMessage(path);
    case 'unreachable':
      return `cannot connect to ${path} to see whether it is in use: ${errnoWords(finding.errorCode)}; not replacing it`;
    case 'not-socket':
      return `${path} exists and is not a socket; not replacing it`;
  }
}

/** libuv's words for an errno name (EACCES: "permission denied"), else the name itself. */
function errnoWords(code: string | undefined): string {
  for (const [name, words] of getSystemErrorMap().values()) if (name === code) return words;
  return code ?? 'unknown error';
}

/** Clears a path for a new socket: removes a stale one; throws, naming the path, for anything else there. */
export async function clearSocketPath(path: string, probe = connectProbe): Promise<void> {
  const finding = await inspectSocketPath(path, probe);
  const refusal = socketPathRefusal(path, finding);
  if (refusal !== null) throw new Error(refusal);
  if (finding.state === 'stale') unlinkSync(path);
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
