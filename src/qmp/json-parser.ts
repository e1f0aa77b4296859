import type {Token} from './json-lexer.js';
import {decodeCodepoint, isValidCodepoint} from './mod-utf8.js';
import {INT64_MAX, QNum, UINT64_MAX, type QDict, type QObject} from './qobject.js';

/**
 * QEMU's JSON parser (qemu/qemu qobject/json-parser.c): a message's tokens to a QObject, or the
 * first error in QEMU's words ("JSON parse error, expecting value", "... duplicate key", ...).
 */

class ParseError extends Error {}

class Tokens {
  #index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.#index];
  }

  pop(): Token | undefined {
    return this.tokens[this.#index++];
  }
}

const fail = (message: string): never => {
  throw new ParseError(`JSON parse error, ${message}`);
};

const latin1 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

/** parse_value; a missing value is "expecting value" (json_parser_parse keeps the first error). */
function parseValue(tokens: Tokens): QObject {
  const token = tokens.peek();
  if (!token) return fail('premature EOI');
  switch (token.type) {
    case 'lcurly':
      return parseObject(tokens);
    case 'lsquare':
      return parseArray(tokens);
    case 'integer':
    case 'float':
    case 'string':
      tokens.pop();
      return parseLiteral(token);
    case 'keyword':
      tokens.pop();
      return parseKeyword(token);
    default:
      return fail('expecting value');
  }
}

function parsePair(tokens: Tokens, dict: QDict): void {
  const keyToken = tokens.peek();
  if (!keyToken) fail('premature EOI');
  const key = parseValue(tokens);
  if (typeof key !== 'string') fail('key is not a string in object');
  const colon = tokens.pop();
  if (!colon) fail('premature EOI');
  if (colon!.type !== 'colon') fail('missing : in object pair');
  const value = parseValue(tokens);
  if (dict.has(key as string)) fail('duplicate key');
  dict.set(key as string, value);
}

function parseObject(tokens: Tokens): QDict {
  tokens.pop();
  const dict: QDict = new Map();
  const peek = tokens.peek();
  if (!peek) return fail('premature EOI');
  if (peek.type === 'rcurly') {
    tokens.pop();
    return dict;
  }
  parsePair(tokens, dict);
  for (let token = tokens.pop(); token?.type !== 'rcurly'; token = tokens.pop()) {
    if (!token) return fail('premature EOI');
    if (token.type !== 'comma') fail('expected separator in dict');
    parsePair(tokens, dict);
  }
  return dict;
}

function parseArray(tokens: Tokens): QObject[] {
  tokens.pop();
  const list: QObject[] = [];
  const peek = tokens.peek();
  if (!peek) return fail('premature EOI');
  if (peek.type === 'rsquare') {
    tokens.pop();
    return list;
  }
  list.push(parseValue(tokens));
  for (let token = tokens.pop(); token?.type !== 'rsquare'; token = tokens.pop()) {
    if (!token) return fail('premature EOI');
    if (token.type !== 'comma') fail('expected separator in list');
    list.push(parseValue(tokens));
  }
  return list;
}

function parseKeyword(token: Token): QObject {
  const word = latin1(token.bytes);
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  return fail(`invalid keyword '${word}'`);
}

/** JSON_INTEGER as int64 if it fits, else uint64, else double; JSON_FLOAT as double (strtod). */
function parseLiteral(token: Token): QObject {
  if (token.type === 'string') return parseString(token.bytes);
  const text = latin1(token.bytes);
  if (token.type === 'integer') {
    const value = BigInt(text);
    if (value >= -INT64_MAX - 1n && value <= INT64_MAX) return new QNum('i64', value);
    if (value >= 0n && value <= UINT64_MAX) return new QNum('u64', value);
  }
  return new QNum('double', Number(text));
}

const ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '"'],
  [0x27, "'"],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

/** cvt4hex: four hex digits, or -1. */
function hex4(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const digit = parseInt(String.fromCharCode(bytes[at + i] ?? 0), 16);
    if (Number.isNaN(digit)) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** `\uXXXX`, joining a surrogate pair; returns the code point (or -1) and the bytes used. */
function unicodeEscape(bytes: Uint8Array, at: number): {codepoint: number; length: number} {
  let codepoint = hex4(bytes, at);
  let length = 4;
  if (codepoint >= 0xd800 && codepoint <= 0xdbff && bytes[at + 4] === 0x5c && bytes[at + 5] === 0x75) {
    const trailing = hex4(bytes, at + 6);
    if (trailing >= 0xdc00 && trailing <= 0xdfff) {
      codepoint = 0x10000 + ((codepoint & 0x3ff) << 10) + (trailing & 0x3ff);
      length = 10;
    } else codepoint = -1;
  }
  return {codepoint, length};
}

/** parse_string: escapes, surrogate pairs, modified UTF-8 validated. */
function parseString(bytes: Uint8Array): string {
  const quote = bytes[0]!;
  const end = bytes.length - 1;
  let text = '';
  for (let index = 1; index < end && bytes[index] !== quote;) {
    if (bytes[index] !== 0x5c) {
      const {codepoint, next} = decodeCodepoint(bytes, index, end);
      if (codepoint < 0) fail('invalid UTF-8 sequence in string');
      text += String.fromCodePoint(codepoint);
      index = next;
      continue;
    }
    const escape = bytes[index + 1]!;
    const simple = ESCAPES.get(escape);
    if (simple !== undefined) {
      text += simple;
      index += 2;
    } else if (escape === 0x75) {
      const {codepoint, length} = unicodeEscape(bytes, index + 2);
      if (!isValidCodepoint(codepoint))
        fail(`${latin1(bytes.subarray(index, index + 2 + length))} is not a valid Unicode character`);
      text += String.fromCodePoint(codepoint);
      index += 2 + length;
    } else fail('invalid escape sequence in string');
  }
  return text;
}

/** json_parser_parse: one value from a message's tokens, or QEMU's error text. */
export function parseTokens(tokens: readonly Token[]): {value: QObject} | {error: string} {
  try {
    return {value: parseValue(new Tokens(tokens))};
  } catch (error) {
    if (error instanceof ParseError) return {error: error.message};
    throw error;
  }
}
