import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MiB} from '../../src/core/units.js';
import {ConsoleChecker} from '../../src/host/checkers/console-checker.js';
import {Simulation} from '../../src/host/sim-context.js';
import {ConsoleBackend} from '../../src/host/virtio/console-backend.js';
import {CONSOLE_TRANSMIT_QUEUE} from '../../src/host/virtio/console-protocol.js';
import {chainOf, deliverAtOnce, elementIoOf, modelIdentity} from '../helpers/device-model.js';

/** `count` lines as the guest's console driver numbers and checksums them, joined. */
function guestLines(count: number, text = (sequence: number) => `line ${sequence}`): string {
  const checker = new ConsoleChecker();
  let joined = '';
  for (let sequence = 0; sequence < count; sequence++) {
    joined += `${checker.nextLine(text(sequence))}\n`;
    checker.commit();
  }
  return joined;
}

function consoleOn(memory: GuestMemory, checker = new ConsoleChecker()): ConsoleBackend {
  return new ConsoleBackend(new Simulation(1), modelIdentity('console'), memory, checker);
}

describe('virtio-console passes each line on as it ends (hw/char/virtio-serial-bus.c do_flush_queued_data)', () => {
  it('the chardev has a chain’s first line before the chain’s last segment is read: the host holds one unfinished line, not the chain', () => {
    const memory = new GuestMemory(64 * MiB);
    const segmentsReadAtCheck: number[] = [];
    let segmentsRead = 0;
    const checker = new ConsoleChecker();
    const checkReceived = checker.checkReceived.bind(checker);
    checker.checkReceived = (...args) => {
      segmentsReadAtCheck.push(segmentsRead);
      return checkReceived(...args);
    };
    const console = consoleOn(memory, checker);
    const view = elementIoOf(console).view;
    const visit = view.visit.bind(view);
    view.visit = (...args) => {
      segmentsRead++;
      visit(...args);
    };
    const text = guestLines(100);
    const lineBytes = text.indexOf('\n') + 1;
    deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, Buffer.from(text, 'latin1'), lineBytes));
    expect(console.integrityErrors).toBe(0);
    expect(segmentsRead).toBeGreaterThan(90);
    expect(segmentsReadAtCheck[0]).toBe(1);
    expect(segmentsReadAtCheck.at(-1)).toBe(segmentsRead);
  });
});

/** More characters than the chardev log keeps of one line (64 Ki). */
const LONG_TEXT_CHARS = 70 * 1024;

describe('a line longer than the log keeps (64 Ki characters)', () => {
  const longLines = (count: number) =>
    guestLines(count, (sequence) => `${sequence} `.padEnd(LONG_TEXT_CHARS, 'x'));

  it('is checked whole and arrives intact: no integrity error for a line the guest wrote right', () => {
    const memory = new GuestMemory(64 * MiB);
    const console = consoleOn(memory);
    deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, Buffer.from(longLines(2), 'latin1')));
    expect(console.integrityErrors).toBe(0);
    expect(console.lines.map((line) => line.length)).toEqual([64 * 1024 - 11, 64 * 1024 - 11]);
  });

  it('is still caught when a byte past the kept part, in the kept part, or its number is wrong', () => {
    const corruptions: [string, (text: Buffer) => void][] = [
      ['past the kept part', (text) => (text[66 * 1024] = 0x79)],
      ['in the kept part', (text) => (text[100] = 0x79)],
      ['its sequence number', (text) => (text[0] = 0x37)],
    ];
    for (const [where, corrupt] of corruptions) {
      const memory = new GuestMemory(64 * MiB);
      const console = consoleOn(memory);
      const text = Buffer.from(longLines(1), 'latin1');
      corrupt(text);
      deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, text));
      expect(console.integrityErrors, where).toBe(1);
    }
  });

  it('gets the verdict a short line gets: a carriage return in the text is no line, though its checksum is right', () => {
    for (const textChars of [100, LONG_TEXT_CHARS]) {
      const memory = new GuestMemory(64 * MiB);
      const console = consoleOn(memory);
      const text = guestLines(1, () => `${'x'.repeat(textChars - 10)}\r`.padEnd(textChars, 'y'));
      deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, Buffer.from(text, 'latin1')));
      expect(console.integrityErrors, `${textChars} characters`).toBe(1);
    }
  });

  it('is checked whatever its characters, as a short line is (UTF-8 checksum of latin1 text)', () => {
    const memory = new GuestMemory(64 * MiB);
    const console = consoleOn(memory);
    const text = guestLines(1, () => 'é'.repeat(LONG_TEXT_CHARS));
    deliverAtOnce(console, CONSOLE_TRANSMIT_QUEUE, chainOf(memory, Buffer.from(text, 'latin1')));
    expect(console.integrityErrors).toBe(0);
  });
});
