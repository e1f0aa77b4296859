import {describe, expect, it} from 'vitest';
import {
  ArrivingLine,
  ConsoleChecker,
  formatConsoleLine,
  parseConsoleLine,
} from '../../src/host/checkers/console-checker.js';
import {EntropyChecker} from '../../src/host/checkers/entropy-checker.js';
import {NetFlowChecker} from '../../src/host/checkers/net-flow-checker.js';

describe('the workload’s checkers', () => {
  it('entropy: each buffer the guest reads must be the next one the device sent, byte for byte', () => {
    const checker = new EntropyChecker();
    checker.recordSent(Buffer.from('first'));
    checker.recordSent(Buffer.from('second'));
    expect(checker.checkReceived(Buffer.from('first'))).toBe(true);
    expect(checker.checkReceived(Buffer.from('secoNd'))).toBe(false);
    checker.recordSent(Buffer.from('third'));
    checker.reset();
    expect(checker.checkReceived(Buffer.from('third'))).toBe(false);
  });

  it('net: a reply that went back is corruption, a gap is a lost frame; the peer checks what the guest sent', () => {
    const checker = new NetFlowChecker();
    const frame = (flow: number, sequence: number) => ({flow, sequence, payloadBytes: 0, replyBytes: 0});
    expect(checker.checkReceived(frame(16, 0))).toBeUndefined();
    expect(checker.checkReceived(frame(16, 3))).toBeUndefined();
    expect(checker.checkReceived(frame(16, 2))).toBe('flow 16: sequence 2 went back (expected 4)');
    const sequence = checker.nextSequence(17);
    checker.commitSent(17, sequence);
    expect(checker.checkSent(frame(17, sequence))).toBeUndefined();
    expect(checker.checkSent(frame(17, 5))).toBe('flow 17: sequence 5, expected 1');
    expect([checker.nextReplySequence(17), checker.nextReplySequence(17)]).toEqual([0, 1]);
  });

  it('console: lines must arrive intact and numbered in order from the last reset', () => {
    const checker = new ConsoleChecker();
    const first = checker.nextLine('hello');
    checker.commit();
    expect(first).toBe(formatConsoleLine(0, 'hello'));
    expect(checker.checkReceived(first)).toEqual({text: 'hello', isExpected: true});
    expect(checker.checkReceived(formatConsoleLine(5, 'skipped'))).toEqual({
      text: 'skipped',
      isExpected: false,
    });
    expect(checker.checkReceived('6 00000000 tampered').isExpected).toBe(false);
  });

  it('console: a line longer than the host keeps is checked whole however it arrives, and only then', () => {
    const line = formatConsoleLine(12, 'abcdefghijklmnopqrstuvwxyz');
    // `12 <crc> ` is 12 characters: a line cut inside its header cannot be checked.
    for (const keep of [1, 11, 12, line.length - 1, line.length, line.length + 5]) {
      for (let split = 0; split <= line.length; split++) {
        const arriving = new ArrivingLine(keep);
        arriving.append(line.slice(0, split));
        arriving.append(line.slice(split));
        expect(arriving.kept).toBe(line.slice(0, keep));
        expect(arriving.wholeTextCrc === undefined).toBe(keep >= line.length);
        const parsed = parseConsoleLine(arriving.kept, arriving.wholeTextCrc);
        expect(parsed?.sequence, `keep ${keep}, split ${split}`).toBe(keep >= 12 ? 12 : undefined);
      }
    }
    const tampered = new ArrivingLine(20);
    tampered.append(line.replace('y', 'Y'));
    expect(parseConsoleLine(tampered.kept, tampered.wholeTextCrc)).toBeUndefined();
  });
});
