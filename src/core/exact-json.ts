/**
 * JSON for values that may hold a bigint (a QEMU uint64 such as max-bandwidth): a bigint is written
 * as its exact integer text, as QEMU writes a uint64 on QMP, so a reader that keeps big integers
 * (Python, jq 1.7, Go's json.Number) gets every digit, and one that reads doubles gets the nearest.
 */

/** A uint64 as a snapshot carries it: a number while a double holds it exactly, else the bigint. */
export function exactInteger(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** JSON.stringify's text for plain data; bigints as exact integers (JSON.stringify refuses them). */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // The one TypeError plain data (no cycles) can raise: a bigint somewhere. Rare, so the slow path.
    if (!(error instanceof TypeError)) throw error;
    return exactJson(value) ?? 'null';
  }
}

const isSkipped = (value: unknown) =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** JSON.stringify's rules (toJSON, skipped members, null in arrays), with bigints written out. */
function exactJson(input: unknown): string | undefined {
  const value =
    typeof input === 'object' && input !== null && typeof (input as {toJSON?: unknown}).toJSON === 'function'
      ? (input as {toJSON: () => unknown}).toJSON()
      : input;
  if (typeof value === 'bigint') return value.toString();
  if (isSkipped(value)) return undefined;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => exactJson(item) ?? 'null').join(',')}]`;
  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    const text = exactJson(member);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
