import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {World} from '../../src/host/world.js';
import {QmpServer} from '../../src/qmp/qmp-server.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {acceptsConnection, pollUntil} from '../helpers/poll-until.js';
import {configFromYaml, startWorld} from '../helpers/world.js';
import {advance} from './fixture.js';
import {QmpTestClient} from './qmp-client.js';

export const QEMU_BINARY = 'qemu-system-ppc64';

/** Whether the oracle can run here (CI installs it with `apt-get install -y qemu-system-ppc`). */
export function qemuVersion(): string | null {
  const result = spawnSync(QEMU_BINARY, ['--version'], {encoding: 'utf8'});
  return result.status === 0 ? result.stdout.split('\n')[0]! : null;
}

/**
 * qemuVersion, saying loudly when the oracle cannot run, so a skipped oracle test file is seen
 * in the output rather than passing as silently skipped. `what` names the file's tests.
 */
export function qemuVersionOrWarn(what: string): string | null {
  const version = qemuVersion();
  if (!version)
    console.warn(
      `SKIPPED: ${what} need ${QEMU_BINARY} (apt-get install -y qemu-system-ppc); it is not installed here.`,
    );
  return version;
}

/** One VM with one device of each type, as svmtop's world file and as QEMU's command line. */
const ORACLE_WORLD = `hosts:
  - {name: alpha, memory: 64GiB}
  - {name: beta, memory: 64GiB}
guests:
  - name: oracle
    host: alpha
    vcpus: 2
    memory: 1GiB
    workload: idle
    image: {kernel: vmlinux-6.6-pseries}
    devices:
      - {type: net, iommu: on}
      - {type: blk}
      - {type: console}
      - {type: rng}
      - {type: balloon}
`;

/**
 * The same machine for QEMU: modern-only virtio-pci, iommu_platform where the world says iommu: on.
 * No option ROM for the NIC (`romfile=`): the machine never boots (-S), and without the ipxe-qemu
 * package QEMU refuses to start for want of efi-virtio.rom.
 */
const QEMU_ARGS = [
  '-M',
  'pseries',
  '-S',
  '-nodefaults',
  '-display',
  'none',
  '-m',
  '1G',
  '-smp',
  '2',
  '-name',
  'oracle',
  '-device',
  'virtio-net-pci,disable-legacy=on,iommu_platform=on,romfile=',
  '-blockdev',
  'driver=null-co,node-name=disk0',
  '-device',
  'virtio-blk-pci,drive=disk0,disable-legacy=on',
  '-device',
  'virtio-serial-pci,disable-legacy=on',
  '-device',
  'virtio-rng-pci,disable-legacy=on',
  '-device',
  'virtio-balloon-pci,disable-legacy=on',
];

/** query-migrate's ram members QEMU 7.2 has and svmtop does not count (README's QMP section). */
export const OMITTED_RAM = [
  'skipped',
  'postcopy-requests',
  'multifd-bytes',
  'precopy-bytes',
  'downtime-bytes',
  'postcopy-bytes',
  'dirty-sync-missed-zero-copy',
].map((member) => `return.ram.${member}`);

/** A QMP server to talk to, and how to let its time pass. */
export interface Peer {
  readonly name: 'svmtop' | 'QEMU';
  readonly socketPath: string;
  /** Lets `seconds` pass: simulated for svmtop, a (bounded) wall-clock wait for QEMU. */
  pass(seconds: number): Promise<void>;
  /** A URI `migrate` accepts that leads to a working migration. */
  readonly migrationUri: string;
  close(): Promise<void>;
}

export async function startSvmtopPeer(): Promise<Peer & {world: World}> {
  const world = startWorld(configFromYaml(ORACLE_WORLD));
  world.advanceBy(3_000_000);
  const root = mkdtempSync(join(tmpdir(), 'svmtop-oracle-'));
  const server = await QmpServer.start({dir: join(root, 'qmp'), port: new WorldPort(world)});
  return {
    name: 'svmtop',
    world,
    socketPath: server.socketPath('oracle'),
    pass: (seconds) => advance(world, seconds),
    migrationUri: 'tcp:beta:4444',
    async close() {
      await server.close();
      rmSync(root, {recursive: true, force: true});
    },
  };
}

/** How long QEMU may take to listen on its QMP socket: a loaded 2-core machine starts it slowly. */
const QEMU_LISTEN_MS = 15_000;

/**
 * Starts QEMU and waits until it accepts a connection on its QMP socket: the file appears at
 * bind(2), before listen(2), so its existence alone let a connect be refused on a busy machine.
 * `command` stands in for QEMU's binary (a test of this start gives a stand-in that is slow to
 * listen, or never does); `args` come after the oracle machine's own.
 */
export async function startQemuPeer(
  options: {command?: readonly string[]; listenMs?: number; args?: readonly string[]} = {},
): Promise<Peer> {
  const [binary, ...before] = options.command ?? [QEMU_BINARY];
  const root = mkdtempSync(join(tmpdir(), 'svmtop-oracle-qemu-'));
  const socketPath = join(root, 'oracle.qmp');
  const child: ChildProcess = spawn(
    binary!,
    [...before, ...QEMU_ARGS, ...(options.args ?? []), '-qmp', `unix:${socketPath},server=on,wait=off`],
    {stdio: ['ignore', 'ignore', 'pipe']},
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // 'close': it has exited and its stderr is read to the end.
  const closed = new Promise((resolve) => child.once('close', resolve));
  let lastRefusal = 'no attempt';
  const listenMs = options.listenMs ?? QEMU_LISTEN_MS;
  const problem = (what: string) =>
    `${QEMU_BINARY} ${what} (last connect: ${lastRefusal}); its stderr: ${stderr.trim() || '(nothing)'}`;
  const listening = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      await closed;
      throw new Error(
        problem(`exited (${child.exitCode ?? child.signalCode}) before it listened on ${socketPath}`),
      );
    }
    return acceptsConnection(socketPath, (code) => (lastRefusal = code));
  };
  try {
    await pollUntil(listening, listenMs, () =>
      problem(`did not listen on ${socketPath} within ${listenMs} ms`),
    );
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
    rmSync(root, {recursive: true, force: true});
    throw error;
  }
  return {
    name: 'QEMU',
    socketPath,
    pass: (seconds) => new Promise((resolve) => setTimeout(resolve, Math.min(seconds, 2) * 1000)),
    migrationUri: 'exec:cat > /dev/null',
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
      rmSync(root, {recursive: true, force: true});
    },
  };
}

export async function connect(
  peer: Peer,
): Promise<{client: QmpTestClient; greeting: Record<string, unknown>}> {
  const client = await QmpTestClient.connect(peer.socketPath);
  return {client, greeting: (await client.reply()).json};
}
