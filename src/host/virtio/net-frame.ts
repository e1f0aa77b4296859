/**
 * Our frames: Ethernet header, then flow, sequence, payload length, requested reply size; the
 * payload, one byte repeated; a 4-byte check. The check is the simulation's own end-to-end
 * integrity check, not an Ethernet FCS: virtio-net frames carry none (torvalds/linux
 * drivers/net/virtio_net.c `GOOD_PACKET_LEN` = ETH_HLEN + VLAN_HLEN + ETH_DATA_LEN).
 *
 * The check is a CRC-32 over the 24 header bytes and the payload's byte, and the decoder requires
 * the payload to be that byte throughout: it accepts exactly the frames `encodeFrame` writes, up
 * to a CRC-32 collision, as a CRC-32 over the whole frame did, without running a CRC over the
 * payload at both ends (zlib's crc32 of a 1 KiB frame cost about as much as the rest of its trip).
 */
import {fillBytes} from '../../core/copy-bytes.js';
import {CRC32_START, crc32Byte, crc32End, crc32Update} from '../../core/crc32.js';
import {putU16, putU32} from '../../core/little-endian.js';
import {NET_HEADER_BYTES} from './net-protocol.js';

export const FRAME_HEADER_BYTES = 24;
export const FRAME_CHECK_BYTES = 4;
export const FRAME_MAX_BYTES = 1514;
const ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88b5;
export const ETHERNET_HEADER_BYTES = 14;
/** Every frame's destination and source MAC and ethertype (big-endian). */
const ETHERNET_HEADER = Uint8Array.of(
  ...new Array<number>(6).fill(0x52),
  ...new Array<number>(6).fill(0x54),
  ETHERTYPE_LOCAL_EXPERIMENTAL >> 8,
  ETHERTYPE_LOCAL_EXPERIMENTAL & 0xff,
);
/** The CRC register after ETHERNET_HEADER: the same for every frame, so the check starts from it. */
const CRC_AFTER_ETHERNET_HEADER = crc32Update(CRC32_START, ETHERNET_HEADER, 0, ETHERNET_HEADER_BYTES);

export interface FrameFields {
  readonly flow: number;
  readonly sequence: number;
  readonly payloadBytes: number;
  /** Size of the reply the peer should send (0: none). */
  readonly replyBytes: number;
}

/** A frame's fields as `decodeFrame` fills them in (one object per reader, reused frame after frame). */
export type DecodedFrame = {-readonly [Field in keyof FrameFields]: FrameFields[Field]};

export function decodedFrame(): DecodedFrame {
  return {flow: 0, sequence: 0, payloadBytes: 0, replyBytes: 0};
}

/**
 * Whether the driver takes an rx buffer the device says it wrote `usedLength` bytes into: at least
 * the virtio-net and Ethernet headers (torvalds/linux drivers/net/virtio_net.c `receive_buf`,
 * "short packet"), and no more than the buffer was posted with (`receive_small`, "len %u exceeds
 * max size": GOOD_PACKET_LEN after the header there, the posted length here). Linux also counts the
 * queue's `drops` for the long case; svmtop keeps no drops counter. `virtqueue_get_buf` hands the
 * device's length over unchecked (drivers/virtio/virtio_ring.c): this is the only check.
 */
export function isRxLengthValid(usedLength: number, postedBytes: number): boolean {
  return usedLength >= NET_HEADER_BYTES + ETHERNET_HEADER_BYTES && usedLength <= postedBytes;
}

/** Total frame size for a payload. */
export function frameBytes(payloadBytes: number): number {
  return FRAME_HEADER_BYTES + payloadBytes + FRAME_CHECK_BYTES;
}

/** Writes a frame into target[offset...] and returns its length. */
export function encodeFrame(target: Buffer, offset: number, fields: FrameFields, fillByte: number): number {
  const payloadBytes = fields.payloadBytes;
  target.set(ETHERNET_HEADER, offset);
  putU16(target, offset + 14, fields.flow);
  putU32(target, offset + 16, fields.sequence);
  putU16(target, offset + 20, payloadBytes);
  putU16(target, offset + 22, fields.replyBytes);
  const payloadAt = offset + FRAME_HEADER_BYTES;
  fillBytes(target, fillByte, payloadAt, payloadAt + payloadBytes);
  // The Ethernet header was just written from ETHERNET_HEADER: its CRC register is known.
  putU32(
    target,
    payloadAt + payloadBytes,
    checkFrom(CRC_AFTER_ETHERNET_HEADER, target, offset, payloadBytes, fillByte),
  );
  return frameBytes(payloadBytes);
}

/**
 * Parses and checks the frame in frame[offset, offset + available) into `into`; false when its
 * length or check is wrong (`into` is then unspecified).
 */
export function decodeFrame(frame: Buffer, offset: number, available: number, into: DecodedFrame): boolean {
  if (available < FRAME_HEADER_BYTES + FRAME_CHECK_BYTES) return false;
  const payloadBytes = frame.readUInt16LE(offset + 20);
  if (frameBytes(payloadBytes) > available) return false;
  const payloadAt = offset + FRAME_HEADER_BYTES;
  const payloadEnd = payloadAt + payloadBytes;
  // Every payload byte equals the one before it: one memcmp of the payload against itself shifted.
  if (payloadBytes > 1 && frame.compare(frame, payloadAt + 1, payloadEnd, payloadAt, payloadEnd - 1) !== 0)
    return false;
  const fillByte = payloadBytes > 0 ? frame[payloadAt]! : 0;
  if (frameCheck(frame, offset, payloadBytes, fillByte) !== frame.readUInt32LE(payloadEnd)) return false;
  into.flow = frame.readUInt16LE(offset + 14);
  into.sequence = frame.readUInt32LE(offset + 16);
  into.payloadBytes = payloadBytes;
  into.replyBytes = frame.readUInt16LE(offset + 22);
  return true;
}

/** CRC-32 (IEEE, as zlib's) of the frame's header followed by its payload byte (none for an empty payload). */
function frameCheck(frame: Buffer, offset: number, payloadBytes: number, fillByte: number): number {
  return checkFrom(ethernetHeaderCrc(frame, offset), frame, offset, payloadBytes, fillByte);
}

/** `frameCheck` from the register after the frame's Ethernet header. */
function checkFrom(
  afterEthernet: number,
  frame: Buffer,
  offset: number,
  payloadBytes: number,
  fillByte: number,
): number {
  const header = crc32Update(
    afterEthernet,
    frame,
    offset + ETHERNET_HEADER_BYTES,
    offset + FRAME_HEADER_BYTES,
  );
  return crc32End(payloadBytes > 0 ? crc32Byte(header, fillByte) : header);
}

/** The CRC register after the frame's Ethernet header: the precomputed one when it is ours. */
function ethernetHeaderCrc(frame: Buffer, offset: number): number {
  for (let i = 0; i < ETHERNET_HEADER_BYTES; i++)
    if (frame[offset + i] !== ETHERNET_HEADER[i])
      return crc32Update(CRC32_START, frame, offset, offset + ETHERNET_HEADER_BYTES);
  return CRC_AFTER_ETHERNET_HEADER;
}
