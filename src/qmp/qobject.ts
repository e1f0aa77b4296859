/**
 * QEMU's QObject model as svmtop's QMP layer needs it (qemu/qemu include/qapi/qmp/qnum.h, qdict.h):
 * a number keeps whether it was an int64, a uint64 or a double, so an `id` is echoed as sent,
 * and a dict keeps its members in insertion order (the formatter orders them as QDict does).
 */
export type QNumKind = 'i64' | 'u64' | 'double';

export class QNum {
  constructor(
    readonly kind: QNumKind,
    /** A bigint for i64 and u64, a number for double. */
    readonly value: bigint | number,
  ) {}

  /** qnum_get_try_int: the value as an int64, or undefined. */
  tryInt(): bigint | undefined {
    if (this.kind === 'i64') return this.value as bigint;
    if (this.kind === 'u64' && (this.value as bigint) <= INT64_MAX) return this.value as bigint;
    return undefined;
  }

  /** qnum_get_try_uint: the value as a uint64, or undefined. */
  tryUint(): bigint | undefined {
    if (this.kind === 'u64') return this.value as bigint;
    if (this.kind === 'i64' && (this.value as bigint) >= 0n) return this.value as bigint;
    return undefined;
  }
}

export const INT64_MAX = (1n << 63n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;

export type QDict = Map<string, QObject>;
export type QObject = null | boolean | string | QNum | QObject[] | QDict;

export function isQDict(value: QObject | undefined): value is QDict {
  return value instanceof Map;
}
