import {describe, expect, it} from 'vitest';
import {boundedText, refusedLine} from '../../src/host/command-log.js';

describe('refusedLine bounds what a client wrote, and only that', () => {
  it('keeps a host reason whole, apostrophes and long words included', () => {
    const reason =
      "delta's KVM runs secure guests only for VMs started with confidential guest support (svm_enabled); QEMU's words stay";
    expect(refusedLine('migrate to delta', reason)).toBe(`migrate to delta refused: ${reason}`);
  });

  it('cuts at 40 characters, not in the middle of one outside the BMP, and counts what it cut', () => {
    const text = '😀'.repeat(50);
    expect(boundedText(text)).toBe(`${'😀'.repeat(40)}…(10 more)`);
    expect(boundedText('x'.repeat(40))).toBe('x'.repeat(40));
  });

  it('bounds a supplied string, or a word of the label, wherever it appears whole', () => {
    const made = `a' b" ${'y'.repeat(60)}`;
    expect(refusedLine('balloon', `Parameter '${made}' is unexpected`, [made])).toBe(
      `balloon refused: Parameter '${boundedText(made)}' is unexpected`,
    );
    const host = 'h'.repeat(45);
    expect(refusedLine(`migrate to ${host}`, `no host named "${host}"`)).toBe(
      `${boundedText(`migrate to ${host}`)} refused: no host named "${boundedText(host)}"`,
    );
  });

  it('reads no words of the reason: text the client did not send is cut only by the cap on the reason', () => {
    const quoted = `error parsing address '${'z'.repeat(45)}'`;
    expect(refusedLine('migrate', quoted)).toBe(`migrate refused: ${quoted}`);
    const long = 'r'.repeat(400);
    expect(refusedLine('migrate', long)).toBe(`migrate refused: ${'r'.repeat(320)}…(80 more)`);
  });
});
