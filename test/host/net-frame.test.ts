import {crc32} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {applyKeystream} from '../../src/core/page-out.js';
import {
  decodedFrame,
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_MAX_BYTES,
  frameBytes,
  type FrameFields,
} from '../../src/host/virtio/net-frame.js';

const MAX_PAYLOAD = FRAME_MAX_BYTES - frameBytes(0);

function frame(fields: Partial<FrameFields>, fillByte: number, offset = 0): Buffer {
  const full = {flow: 17, sequence: 0x01020304, payloadBytes: 40, replyBytes: 300, ...fields};
  const target = Buffer.alloc(offset + frameBytes(full.payloadBytes) + 8, 0xee);
  encodeFrame(target, offset, full, fillByte);
  return target;
}

const accepts = (bytes: Buffer, offset = 0, available = bytes.length - offset) =>
  decodeFrame(bytes, offset, available, decodedFrame());

describe('net frames', () => {
  it('decode what was encoded, at any offset, for every payload size class', () => {
    for (const payloadBytes of [0, 1, 2, 3, 64, MAX_PAYLOAD])
      for (const offset of [0, 12]) {
        const into = decodedFrame();
        const bytes = frame({payloadBytes, sequence: 0xfffffffe}, 0xa5, offset);
        expect(decodeFrame(bytes, offset, frameBytes(payloadBytes), into)).toBe(true);
        expect(into).toEqual({flow: 17, sequence: 0xfffffffe, payloadBytes, replyBytes: 300});
      }
  });

  it('the check is the CRC-32 (zlib) of the header and the payload byte', () => {
    const bytes = frame({payloadBytes: 40}, 0x3c);
    const expected = crc32(Buffer.concat([bytes.subarray(0, FRAME_HEADER_BYTES), Buffer.from([0x3c])]));
    expect(bytes.readUInt32LE(FRAME_HEADER_BYTES + 40)).toBe(expected);
  });

  it('reject every single-byte change, whatever the bits, in header, payload or check', () => {
    for (const payloadBytes of [0, 1, 2, 40]) {
      const good = frame({payloadBytes}, 0x41);
      for (let position = 0; position < frameBytes(payloadBytes); position++)
        for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x5a]) {
          const bad = Buffer.from(good);
          bad[position]! ^= mask;
          expect(accepts(bad), `payload ${payloadBytes}, byte ${position} ^ ${mask}`).toBe(false);
        }
    }
  });

  it('reject every burst of up to 4 changed bytes, and a payload replaced by another byte throughout', () => {
    const good = frame({payloadBytes: 6}, 0x00);
    for (let position = 0; position + 4 <= good.length - 8; position++) {
      const bad = Buffer.from(good);
      for (let i = 0; i < 4; i++) bad[position + i]! ^= 0x81 + i;
      expect(accepts(bad), `burst at ${position}`).toBe(false);
    }
    for (const payloadBytes of [1, 2, 40]) {
      const bad = frame({payloadBytes}, 0x41);
      bad.fill(0x42, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payloadBytes);
      expect(accepts(bad)).toBe(false);
    }
  });

  it('reject a frame spliced from two frames of the same length (a stale buffer partly overwritten)', () => {
    const older = frame({sequence: 7}, 7);
    const newer = frame({sequence: 8}, 8);
    let splices = 0;
    for (let cut = 1; cut < frameBytes(40); cut++) {
      const spliced = Buffer.concat([newer.subarray(0, cut), older.subarray(cut)]);
      if (spliced.equals(newer) || spliced.equals(older)) continue;
      splices++;
      expect(accepts(spliced), `cut ${cut}`).toBe(false);
    }
    expect(splices).toBeGreaterThan(frameBytes(40) / 2);
  });

  it('reject truncation, a length field past the buffer, and ciphertext', () => {
    const good = frame({payloadBytes: 40}, 0x41);
    expect(accepts(good, 0, frameBytes(40) - 1)).toBe(false);
    expect(accepts(good, 0, FRAME_HEADER_BYTES + 3)).toBe(false);
    const long = Buffer.from(good);
    long.writeUInt16LE(200, 20);
    expect(accepts(long)).toBe(false);
    const page = Buffer.alloc(4096);
    encodeFrame(page, 100, {flow: 1, sequence: 2, payloadBytes: 1000, replyBytes: 0}, 0x11);
    applyKeystream(page, 0x1234, 9, 1);
    expect(accepts(page, 100, frameBytes(1000))).toBe(false);
  });
});
