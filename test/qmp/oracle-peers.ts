import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {World} from '../../src/host/world.js';
import {QmpServer} from '../../src/qmp/qmp-server.js';
import {WorldPort} from '../../src/qmp/world-port.js';
import {pollUntil} from '../helpers/poll-until.js';
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

export async function startQemuPeer(): Promise<Peer> {
  const root = mkdtempSync(join(tmpdir(), 'svmtop-oracle-qemu-'));
  const socketPath = join(root, 'oracle.qmp');
  const child: ChildProcess = spawn(
    QEMU_BINARY,
    [...QEMU_ARGS, '-qmp', `unix:${socketPath},server=on,wait=off`],
    {
      stdio: 'ignore',
    },
  );
  const didNotOpen = () => `${QEMU_BINARY} did not open ${socketPath}`;
  const opened = () => {
    if (existsSync(socketPath)) return true;
    if (child.exitCode !== null) throw new Error(didNotOpen());
    return false;
  };
  await pollUntil(opened, 15_000, didNotOpen);
  return {
    name: 'QEMU',
    socketPath,
    pass: (seconds) => new Promise((resolve) => setTimeout(resolve, Math.min(seconds, 2) * 1000)),
    migrationUri: 'exec:cat > /dev/null',
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
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
