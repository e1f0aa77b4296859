/**
 * QEMU's modified UTF-8 (qemu/qemu util/unicode.c mod_utf8_codepoint, is_valid_codepoint): like
 * UTF-8, but U+0000 may also be written C0 80, and noncharacters and surrogates are invalid.
 */

const MIN_CODEPOINT_BY_LENGTH = [0x80, 0x800, 0x10000, 0x200000, 0x4000000];

/** is_valid_codepoint: in range, not a noncharacter, not a surrogate. */
export function isValidCodepoint(codepoint: number): boolean {
  if (codepoint < 0 || codepoint > 0x10ffff) return false;
  if ((codepoint >= 0xfdd0 && codepoint <= 0xfdef) || (codepoint & 0xfffe) === 0xfffe) return false;
  return !(codepoint >= 0xd800 && codepoint <= 0xdfff);
}

/**
 * Decodes one code point at `start` (mod_utf8_codepoint with n = 6).
 * @returns the code point, or -1 for an invalid sequence, and where the next one starts
 */
export function decodeCodepoint(
  bytes: Uint8Array,
  start: number,
  end: number,
): {codepoint: number; next: number} {
  let index = start;
  const first = bytes[index++]!;
  if (first < 0x80) return {codepoint: first, next: index};
  if (first >= 0xfe || (first & 0x40) === 0) return {codepoint: -1, next: index};
  let length = 0;
  let mask = 0x80;
  for (; first & mask; mask >>= 1) length++;
  let codepoint = first & (mask - 1);
  for (let i = 1; i < length; i++) {
    const byte = index < end && i < 6 ? bytes[index]! : 0;
    if ((byte & 0xc0) !== 0x80) return {codepoint: -1, next: index};
    index++;
    codepoint = codepoint * 64 + (byte & 0x3f);
  }
  if (codepoint > 0x10ffff || !isValidCodepoint(codepoint)) return {codepoint: -1, next: index};
  if (codepoint < MIN_CODEPOINT_BY_LENGTH[length - 2]! && !(codepoint === 0 && length === 2))
    return {codepoint: -1, next: index};
  return {codepoint, next: index};
}

/**
 * Bytes as QEMU shows them inside an error message: decoded, each invalid sequence as U+FFFD,
 * and cut at the first NUL as a C string is.
 */
export function bytesToText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  const end = nul < 0 ? bytes.length : nul;
  let text = '';
  for (let index = 0; index < end;) {
    const {codepoint, next} = decodeCodepoint(bytes, index, end);
    text += String.fromCodePoint(codepoint < 0 ? 0xfffd : codepoint);
    index = next;
  }
  return text;
}
