import {describe, expect, it} from 'vitest';
import {boundedText, monitorRefusedLine, refusedLine} from '../../src/host/command-log.js';

describe('a refusal line bounds what a client wrote, and only that', () => {
  it('keeps a host reason whole, apostrophes, long words and its length included', () => {
    const reason =
      "delta's KVM runs secure guests only for VMs started with confidential guest support (svm_enabled); QEMU's words stay";
    expect(refusedLine('migrate to delta', reason)).toBe(`migrate to delta refused: ${reason}`);
    // Joined migration blockers between hosts with 31-character names pass 500 characters.
    const blockers = `${reason}; `.repeat(5);
    expect(refusedLine('migrate to delta', blockers)).toBe(`migrate to delta refused: ${blockers}`);
  });

  it('keeps a config host name whole in the label: config names are at most 31 characters', () => {
    const host = 'destination-host-in-rack-nine-b';
    expect(refusedLine(`migrate to ${host}`, 'link down')).toBe(`migrate to ${host} refused: link down`);
  });

  it('bounds a long word of the label wherever it appears whole: only a client names one', () => {
    const host = 'h'.repeat(45);
    expect(refusedLine(`migrate to ${host}`, `no host named "${host}"`)).toBe(
      `migrate to ${boundedText(host)} refused: no host named "${boundedText(host)}"`,
    );
  });

  it('cuts at 40 characters, not in the middle of one outside the BMP, and counts what it cut', () => {
    const text = '😀'.repeat(50);
    expect(boundedText(text)).toBe(`${'😀'.repeat(40)}...(10 more)`);
    expect(boundedText('x'.repeat(40))).toBe('x'.repeat(40));
  });

  it("the monitor's line bounds the client's name and strings, and caps its reason, reading none of its words", () => {
    const made = `a' b" ${'y'.repeat(60)}`;
    expect(monitorRefusedLine('balloon', `Parameter '${made}' is unexpected`, [made])).toBe(
      `balloon refused: Parameter '${boundedText(made)}' is unexpected`,
    );
    const quoted = `error parsing address '${'z'.repeat(45)}'`;
    expect(monitorRefusedLine('migrate', quoted, [])).toBe(`migrate refused: ${quoted}`);
    expect(monitorRefusedLine('migrate', 'r'.repeat(400), [])).toBe(
      `migrate refused: ${'r'.repeat(320)}...(80 more)`,
    );
  });
});
