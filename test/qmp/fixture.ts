import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach} from 'vitest';
import type {WorldConfig} from '../../src/host/config/world-schema.js';
import type {World} from '../../src/host/world.js';
import {QmpServer} from '../../src/qmp/qmp-server.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';
import {QmpTestClient} from './qmp-client.js';

/** Wall time the tests pretend the world started at: event timestamps are this plus simulated time. */
export const EPOCH_US = 1_700_000_000_000_000;

export interface QmpFixture {
  readonly world: World;
  readonly server: QmpServer;
  readonly dir: string;
  readonly clients: QmpTestClient[];
  connect(vm: string): Promise<QmpTestClient>;
  close(): Promise<void>;
}

/**
 * A world (booted for `bootSeconds` of simulated time) with a QMP server on a fresh directory;
 * wall time is simulated time, so timestamps and rate limits are exact.
 */
export async function startQmpFixture(
  options: {config?: WorldConfig; bootSeconds?: number; seed?: number} = {},
): Promise<QmpFixture> {
  const world = startWorld(options.config ?? defaultConfig(), options.seed ?? 1);
  world.advanceBy((options.bootSeconds ?? 3) * 1_000_000);
  const root = mkdtempSync(join(tmpdir(), 'svmtop-qmp-'));
  const dir = join(root, 'qmp');
  const server = await QmpServer.start({
    dir,
    port: new WorldPort(world),
    wallClockUs: () => EPOCH_US + world.nowUs,
  });
  const clients: QmpTestClient[] = [];
  return {
    world,
    server,
    dir,
    clients,
    async connect(vm) {
      const client = await QmpTestClient.negotiated(server.socketPath(vm));
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await server.close();
      rmSync(root, {recursive: true, force: true});
    },
  };
}

/** Options for a fixture world: its config, simulated boot time and seed. */
export type QmpFixtureOptions = Parameters<typeof startQmpFixture>[0];

/**
 * A fresh fixture for each test of the calling file or describe block: registers the
 * beforeEach/afterEach that start and close it. The handle reads the current test's fixture, so it
 * can be taken once at the top of the file; using it outside a test throws.
 */
export function useQmpFixture(options: QmpFixtureOptions = {}): Omit<QmpFixture, 'close'> {
  let current: QmpFixture | undefined;
  beforeEach(async () => {
    current = await startQmpFixture(options);
  });
  afterEach(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  const fixture = (): QmpFixture => {
    if (current === undefined) throw new Error('the QMP fixture is only there inside a test');
    return current;
  };
  return {
    get world() {
      return fixture().world;
    },
    get server() {
      return fixture().server;
    },
    get dir() {
      return fixture().dir;
    },
    get clients() {
      return fixture().clients;
    },
    connect: (vm) => fixture().connect(vm),
  };
}

/** Lets socket I/O run (replies, events) without any wall-clock wait. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances simulated time in steps, letting sockets flow between steps. */
export async function advance(world: World, seconds: number, stepUs = 50_000): Promise<void> {
  const end = world.nowUs + Math.round(seconds * 1_000_000);
  while (world.nowUs < end) {
    world.advanceTo(Math.min(end, world.nowUs + stepUs));
    await settle();
  }
}

/** Advances until `condition` holds, at most `maxSeconds` of simulated time (bounded polling). */
export async function advanceUntil(
  world: World,
  condition: () => boolean,
  maxSeconds: number,
  what: string,
): Promise<void> {
  const end = world.nowUs + maxSeconds * 1_000_000;
  while (!condition()) {
    if (world.nowUs >= end) throw new Error(`${what} did not happen within ${maxSeconds} simulated seconds`);
    world.advanceTo(Math.min(end, world.nowUs + 50_000));
    await settle();
  }
}

/** Advances until `vmName`'s migration reaches `status` (at most 5 simulated seconds). */
export async function advanceUntilMigration(world: World, vmName: string, status: string): Promise<void> {
  await advanceUntil(world, () => vm(world, vmName).migration?.status === status, 5, status);
}

/** Advances until `vmName` is secure (at most 30 simulated seconds). */
export async function advanceUntilSecure(world: World, vmName: string): Promise<void> {
  await advanceUntil(world, () => vm(world, vmName).security.state === 'secure', 30, `${vmName} secure`);
}

/**
 * What `client` receives from now on, in order: each event's name, and 'return' for each reply.
 * The function it returns gives all of it so far each time it is asked.
 */
export function receivedFromNow(client: QmpTestClient): () => string[] {
  const from = client.lines.length;
  return () =>
    client.lines.slice(from).map((line) => {
      const json = JSON.parse(line) as {event?: string};
      return json.event ?? 'return';
    });
}

/** Event names as received, in order. */
export const eventNames = (client: QmpTestClient) => client.events.map((event) => event.json.event as string);

/** The return value of a reply, or a readable failure. */
export function returned<T = unknown>(reply: {json: Record<string, unknown>; raw: string}): T {
  if (!('return' in reply.json)) throw new Error(`expected a return, got ${reply.raw}`);
  return reply.json.return as T;
}

export function errorOf(reply: {json: Record<string, unknown>; raw: string}): {class: string; desc: string} {
  if (!('error' in reply.json)) throw new Error(`expected an error, got ${reply.raw}`);
  return reply.json.error as {class: string; desc: string};
}

/** The last command line `vm`'s event log holds (its origin, message and severity). */
export function lastCommandLine(world: World, vm: string) {
  return world.events
    .recent(20, vm)
    .filter((event) => event.kind === 'command')
    .at(-1);
}
