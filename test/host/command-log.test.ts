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

  it('bounds a supplied string wherever it appears whole, and quoted text', () => {
    const made = `a' b" ${'y'.repeat(60)}`;
    expect(refusedLine('balloon', `Parameter '${made}' is unexpected`, [made])).toBe(
      `balloon refused: Parameter '${boundedText(made)}' is unexpected`,
    );
    expect(refusedLine('migrate', `error parsing address '${'z'.repeat(45)}'`)).toBe(
      `migrate refused: error parsing address '${'z'.repeat(40)}…(5 more)'`,
    );
  });
});
