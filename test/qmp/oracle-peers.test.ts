import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {useTempDirs} from '../helpers/temp-dirs.js';
import {connect, startQemuPeer} from './oracle-peers.js';

const temp = useTempDirs('svmtop-oracle-peers-');

/**
 * A stand-in for QEMU, run by Node with QEMU's arguments: it leaves a socket at the -qmp path that
 * nobody listens on yet (what QEMU's socket is between bind(2) and listen(2)), then, as `mode`
 * says, listens after `delay` ms and greets every client as QEMU does, never listens, or exits
 * with an error on stderr.
 */
const STAND_IN = `
const {spawnSync} = require('node:child_process');
const {renameSync, unlinkSync} = require('node:fs');
const net = require('node:net');
const [mode, delay] = process.argv.slice(2, 4);
if (mode === 'fail') {
  process.stderr.write("qemu-system-ppc64: -device virtio-net-pci: failed to find romfile\\n");
  process.exit(1);
}
const path = process.argv.find((arg) => arg.startsWith('unix:')).slice(5).split(',')[0];
const orphan = "require('node:net').createServer().listen(process.argv[1], () => process.exit(0))";
// Made aside and renamed into place: while the maker still listens, a connect would be accepted.
spawnSync(process.execPath, ['-e', orphan, path + '~']);
renameSync(path + '~', path);
if (mode === 'never') setInterval(() => undefined, 1000);
else
  setTimeout(() => {
    unlinkSync(path);
    const greet = (socket) => {
      socket.on('error', () => undefined); // a probe that connects and goes at once
      socket.write('{"QMP": {"capabilities": ["oob"]}}\\r\\n');
    };
    net.createServer(greet).listen(path);
  }, Number(delay));
`;

function standIn(mode: 'slow' | 'never' | 'fail', delayMs = 0): string[] {
  const script = join(temp.root(), 'qemu-stand-in.cjs');
  writeFileSync(script, STAND_IN);
  return [process.execPath, script, mode, String(delayMs)];
}

describe('startQemuPeer waits until QEMU listens, not until its socket file is there', () => {
  test('a QEMU slow to listen after it binds: the peer starts once a connection is accepted', async () => {
    const peer = await startQemuPeer({command: standIn('slow', 1000)});
    try {
      const {client, greeting} = await connect(peer);
      expect(greeting).toEqual({QMP: {capabilities: ['oob']}});
      client.close();
    } finally {
      await peer.close();
    }
  });

  test('a QEMU that never listens: the start fails within its bound, saying why', async () => {
    await expect(startQemuPeer({command: standIn('never'), listenMs: 300})).rejects.toThrow(
      /qemu-system-ppc64 did not listen on .*oracle\.qmp within 300 ms \(last connect: (ENOENT|ECONNREFUSED)\); its stderr: \(nothing\)/,
    );
  });

  test('a QEMU that exits: the start fails at once with its stderr', async () => {
    await expect(startQemuPeer({command: standIn('fail')})).rejects.toThrow(
      /exited \(1\) before it listened on .*; its stderr: qemu-system-ppc64: -device virtio-net-pci: failed to find romfile$/,
    );
  });
});
