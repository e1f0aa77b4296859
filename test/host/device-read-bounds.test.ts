import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {KiB, MiB} from '../../src/core/units.js';
import {ConsoleChecker} from '../../src/host/checkers/console-checker.js';
import {Simulation} from '../../src/host/sim-context.js';
import {BalloonBackend} from '../../src/host/virtio/balloon-backend.js';
import {BALLOON_INFLATE_QUEUE} from '../../src/host/virtio/balloon-protocol.js';
import {ConsoleBackend} from '../../src/host/virtio/console-backend.js';
import {CONSOLE_TRANSMIT_QUEUE} from '../../src/host/virtio/console-protocol.js';
import {chainOf, deliverAtOnce, modelIdentity as identity} from '../helpers/device-model.js';

/** More than QEMU's NET_BUFSIZE (64 KiB + 4 KiB), the bound only virtio-net reads a chain under. */
const LONGER_THAN_NET_BUFSIZE_BYTES = 96 * KiB;

describe('chains longer than NET_BUFSIZE on devices QEMU reads whole', () => {
  it('virtio-console hands every byte of the chain to its chardev (hw/char/virtio-serial-bus.c do_flush_queued_data: each out_sg in turn)', () => {
    const memory = new GuestMemory(64 * MiB);
    const guestChecker = new ConsoleChecker();
    const lines: string[] = [];
    for (let sequence = 0; lines.join('').length < LONGER_THAN_NET_BUFSIZE_BYTES; sequence++) {
      lines.push(`${guestChecker.nextLine(`line ${sequence} `.padEnd(200, 'x'))}\n`);
      guestChecker.commit();
    }
    const text = lines.join('');
    const console = new ConsoleBackend(new Simulation(1), identity('console'), memory, new ConsoleChecker());
    deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, Buffer.from(text, 'latin1')));
    expect(console.integrityErrors).toBe(0);
    expect(console.lines.at(-1)).toContain(`line ${lines.length - 1} `);
  });

  it('virtio-balloon takes every PFN of the chain (hw/virtio/virtio-balloon.c handle_output: iov_to_buf 4 bytes at a time to the end)', () => {
    const memory = new GuestMemory(64 * MiB);
    const pfnCount = LONGER_THAN_NET_BUFSIZE_BYTES / 4;
    const pfns = Buffer.alloc(pfnCount * 4);
    for (let i = 0; i < pfnCount; i++) pfns.writeUInt32LE(i % 1024, i * 4);
    const balloon = new BalloonBackend(new Simulation(1), identity('balloon'), memory);
    deliverAtOnce(balloon, BALLOON_INFLATE_QUEUE, chainOf(memory, pfns, 4 * KiB - 1)); // PFNs split across segments too
    expect(balloon.reclaimedPages).toBe(pfnCount);
    expect(balloon.unreclaimedPages).toBe(0);
  });
});
