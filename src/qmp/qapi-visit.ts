import {isQDict, QNum, UINT64_MAX, type QDict, type QObject} from './qobject.js';

/**
 * Argument checking as QAPI's generated marshallers do it through the QObject input visitor
 * (qemu/qemu qapi/qobject-input-visitor.c, qapi/qapi-visit-core.c), with QEMU 7.2's texts:
 * members in schema order ("Parameter 'x' is missing", "Invalid parameter type for 'x',
 * expected: integer", "Parameter 'x' expects uint64"), then leftovers ("Parameter 'x' is
 * unexpected"). Paths are spelled as QEMU spells them (`capabilities[0].state`); enum and
 * uint8 errors use the bare member name, as visit_type_enum and visit_type_uintN do.
 */
export type QapiType =
  | 'int'
  | 'uint64'
  | 'uint8'
  | 'bool'
  | 'str'
  | {readonly enum: readonly string[]}
  | {readonly list: QapiType}
  | {readonly struct: readonly QapiMember[]};

export interface QapiMember {
  readonly name: string;
  readonly type: QapiType;
  readonly isOptional?: boolean;
}

/** Arguments after visiting: uint64 as a bigint (all 64 bits kept), other numbers as numbers, enums and strings as strings. */
export type QapiValue =
  number | bigint | boolean | string | readonly QapiValue[] | {readonly [name: string]: QapiValue};

export class QapiError extends Error {}

const invalidType = (path: string, expected: string): never => {
  throw new QapiError(`Invalid parameter type for '${path}', expected: ${expected}`);
};

/** qobject_input_type_uint64: any int that fits 64 bits; negatives wrap, "for backward compatibility". */
function visitUint64(value: QObject, path: string): bigint {
  const fitting = value instanceof QNum ? (value.tryUint() ?? value.tryInt()) : undefined;
  if (fitting === undefined) throw new QapiError(`Parameter '${path}' expects uint64`);
  return fitting < 0n ? fitting & UINT64_MAX : fitting;
}

function visitScalar(type: Exclude<QapiType, object>, value: QObject, path: string, name: string): QapiValue {
  switch (type) {
    case 'int': {
      const integer = value instanceof QNum ? value.tryInt() : undefined;
      return integer === undefined ? invalidType(path, 'integer') : Number(integer);
    }
    case 'uint64':
      return visitUint64(value, path);
    case 'uint8': {
      const integer = visitUint64(value, path);
      if (integer > 255n) throw new QapiError(`Parameter '${name}' expects uint8_t`);
      return Number(integer);
    }
    case 'bool':
      return typeof value === 'boolean' ? value : invalidType(path, 'boolean');
    case 'str':
      return typeof value === 'string' ? value : invalidType(path, 'string');
  }
}

function visitValue(type: QapiType, value: QObject, path: string, name: string): QapiValue {
  if (typeof type === 'string') return visitScalar(type, value, path, name);
  if ('enum' in type) {
    if (typeof value !== 'string') return invalidType(path, 'string');
    if (!type.enum.includes(value))
      throw new QapiError(`Parameter '${name}' does not accept value '${value}'`);
    return value;
  }
  if ('list' in type) {
    if (!Array.isArray(value)) return invalidType(path, 'array');
    return value.map((item, index) => visitValue(type.list, item, `${path}[${index}]`, 'null'));
  }
  if (!isQDict(value)) return invalidType(path, 'object');
  return visitStruct(type.struct, value, `${path}.`);
}

/**
 * Visits a struct's members in schema order, then refuses members the schema does not have.
 * @param prefix the path of the struct itself followed by a dot, or '' at the top
 */
export function visitStruct(
  members: readonly QapiMember[],
  dict: QDict,
  prefix = '',
): Record<string, QapiValue> {
  const result: Record<string, QapiValue> = {};
  for (const member of members) {
    const path = `${prefix}${member.name}`;
    const value = dict.get(member.name);
    if (value === undefined) {
      if (!member.isOptional) throw new QapiError(`Parameter '${path}' is missing`);
      continue;
    }
    result[member.name] = visitValue(member.type, value, path, member.name);
  }
  const known = new Set(members.map((member) => member.name));
  const unexpected = [...dict.keys()].find((key) => !known.has(key));
  if (unexpected !== undefined) throw new QapiError(`Parameter '${prefix}${unexpected}' is unexpected`);
  return result;
}
