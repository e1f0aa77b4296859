import {decodeCodepoint} from './mod-utf8.js';
import {QNum, type QObject} from './qobject.js';

/**
 * QObject to JSON as QEMU writes it on a QMP socket (qemu/qemu qobject/qjson.c to_json, with
 * pretty off): `", "` and `": "` separators, strings escaped with upper-case `\uXXXX` for control
 * characters and everything from U+007F up, doubles as `%.17g`, and a dict's members in QDict's
 * iteration order: by hash bucket (qobject/qdict.c tdb_hash, 512 buckets), newest first within a
 * bucket. Replies built in QAPI member order therefore come out byte for byte as QEMU's.
 */

/** What commands return: QObjects, or plain data (objects, arrays, numbers) shaped the same way. */
export type OutputValue =
  QObject | number | bigint | undefined | readonly OutputValue[] | {readonly [member: string]: OutputValue};

const QDICT_BUCKETS = 512;

/** qdict.c tdb_hash() modulo the bucket count. */
export function qdictBucket(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  for (let i = 0; i < bytes.length; i++) value = (value + ((bytes[i]! << ((i * 5) % 24)) >>> 0)) >>> 0;
  return ((Math.imul(1103515243, value) + 12345) >>> 0) % QDICT_BUCKETS;
}

const bucketCache = new Map<string, number>();
function cachedBucket(key: string): number {
  let bucket = bucketCache.get(key);
  if (bucket === undefined) {
    bucket = qdictBucket(key);
    if (bucketCache.size < 4096) bucketCache.set(key, bucket);
  }
  return bucket;
}

/** Members in QDict iteration order; `undefined` members are absent (QAPI's optional members). */
function orderedMembers(entries: Array<[string, OutputValue]>): Array<[string, OutputValue]> {
  const present = entries.filter(([, value]) => value !== undefined);
  return present
    .map((entry, index) => ({entry, index, bucket: cachedBucket(entry[0])}))
    .sort((a, b) => a.bucket - b.bucket || b.index - a.index)
    .map(({entry}) => entry);
}

/** Keys in the order QEMU iterates a QDict holding them (given in insertion order). */
export function qdictKeyOrder(keys: readonly string[]): string[] {
  return orderedMembers(keys.map((key): [string, OutputValue] => [key, null])).map(([key]) => key);
}

/** printf("%.17g"), as qnum_to_string formats a double. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential(16).split('e') as [string, string];
  const exponent = Number(exponentText);
  const trim = (digits: string) => (digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits);
  if (exponent < -4 || exponent >= 17) {
    const sign = exponent < 0 ? '-' : '+';
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(value.toFixed(16 - exponent));
}

function formatNumber(value: QNum | number): string {
  if (value instanceof QNum)
    return value.kind === 'double' ? formatDouble(value.value as number) : String(value.value);
  return Number.isInteger(value) && Math.abs(value) < 1e17 ? String(value) : formatDouble(value);
}

const SIMPLE_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
]);

const hex4 = (unit: number) => `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;

export function formatString(text: string): string {
  let out = '"';
  const bytes = Buffer.from(text, 'utf8');
  for (let index = 0; index < bytes.length;) {
    const decoded = decodeCodepoint(bytes, index, bytes.length);
    index = decoded.next;
    const codepoint = decoded.codepoint < 0 ? 0xfffd : decoded.codepoint;
    const simple = SIMPLE_ESCAPES.get(codepoint);
    if (simple) out += simple;
    else if (codepoint > 0xffff)
      out += hex4(0xd800 + ((codepoint - 0x10000) >> 10)) + hex4(0xdc00 + ((codepoint - 0x10000) & 0x3ff));
    else if (codepoint < 0x20 || codepoint >= 0x7f) out += hex4(codepoint);
    else out += String.fromCharCode(codepoint);
  }
  return `${out}"`;
}

/** One value as QEMU's compact JSON. */
export function formatQObject(value: OutputValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return formatString(value);
  if (typeof value === 'bigint') return String(value); // a uint64 or int64, every digit (qnum_to_string)
  if (typeof value === 'number' || value instanceof QNum) return formatNumber(value);
  if (Array.isArray(value)) return `[${value.map((item: OutputValue) => formatQObject(item)).join(', ')}]`;
  const entries: Array<[string, OutputValue]> =
    value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, OutputValue>);
  const members = orderedMembers(entries).map(
    ([key, member]) => `${formatString(key)}: ${formatQObject(member)}`,
  );
  return `{${members.join(', ')}}`;
}
