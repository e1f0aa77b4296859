import {crc32} from 'node:zlib';

/** Our frames: Ethernet header, then flow, sequence, payload length, requested reply size. */
export const FRAME_HEADER_BYTES = 24;
export const FRAME_CRC_BYTES = 4;
export const FRAME_MAX_BYTES = 1514;
const ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88b5;

export interface FrameFields {
  readonly flow: number;
  readonly sequence: number;
  readonly payloadBytes: number;
  /** Size of the reply the peer should send (0: none). */
  readonly replyBytes: number;
}

/** Total frame size for a payload. */
export function frameBytes(payloadBytes: number): number {
  return FRAME_HEADER_BYTES + payloadBytes + FRAME_CRC_BYTES;
}

/** Writes a frame into target[offset...] and returns its length. */
export function encodeFrame(target: Buffer, offset: number, fields: FrameFields, fillByte: number): number {
  const length = frameBytes(fields.payloadBytes);
  target.fill(0x52, offset, offset + 6);
  target.fill(0x54, offset + 6, offset + 12);
  target.writeUInt16BE(ETHERTYPE_LOCAL_EXPERIMENTAL, offset + 12);
  target.writeUInt16LE(fields.flow & 0xffff, offset + 14);
  target.writeUInt32LE(fields.sequence >>> 0, offset + 16);
  target.writeUInt16LE(fields.payloadBytes, offset + 20);
  target.writeUInt16LE(fields.replyBytes, offset + 22);
  target.fill(fillByte, offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + fields.payloadBytes);
  const crc = crc32(target.subarray(offset, offset + length - FRAME_CRC_BYTES));
  target.writeUInt32LE(crc, offset + length - FRAME_CRC_BYTES);
  return length;
}

/** Parses and checks a frame; undefined when its length or checksum is wrong. */
export function decodeFrame(frame: Buffer): FrameFields | undefined {
  if (frame.length < FRAME_HEADER_BYTES + FRAME_CRC_BYTES) return undefined;
  const payloadBytes = frame.readUInt16LE(20);
  const length = frameBytes(payloadBytes);
  if (length > frame.length) return undefined;
  const crc = crc32(frame.subarray(0, length - FRAME_CRC_BYTES));
  if (crc !== frame.readUInt32LE(length - FRAME_CRC_BYTES)) return undefined;
  return {
    flow: frame.readUInt16LE(14),
    sequence: frame.readUInt32LE(16),
    payloadBytes,
    replyBytes: frame.readUInt16LE(22),
  };
}
