import {toJson} from '../core/exact-json.js';
import {parseSize} from '../core/units.js';
import type {Expectation} from './config/scenario-schema.js';

/** What a snapshot value is, as an expectation compares it (a bigint is a number written exactly). */
function kindOf(value: unknown): 'string' | 'number' | 'boolean' | 'list' | 'object' {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'bigint' || typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

/** What to write instead of `equals` of the wrong type: the bytes of a size, or the field's type. */
function equalsHint(kind: 'string' | 'number' | 'boolean', equals: string | number | boolean): string {
  const bytes = kind === 'number' && typeof equals === 'string' ? parseSize(equals) : undefined;
  if (bytes !== undefined) return `write ${bytes} for ${equals}`;
  return kind === 'boolean' ? 'write true or false' : `write a ${kind}`;
}

/** An element of a list as a path names it: `devices[0].id` for a list of objects, `blockedReasons[0]`. */
function elementExample(path: string, list: readonly unknown[]): string {
  const first = list[0];
  const field = typeof first === 'object' && first !== null ? Object.keys(first)[0] : undefined;
  return field === undefined ? `${path}[0]` : `${path}[0].${field}`;
}

/**
 * Why an expectation's value can never match the field its path reaches, or null: the field's
 * type is that of `value`, read from a snapshot (unknown while the field is null, so asked again of
 * the final snapshot). equals null fits every field (any may be null); a list or an object is no
 * value to compare; atLeast and atMost compare numbers; equals compares a value of the field's type.
 */
export function expectationValueProblem(expectation: Expectation, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const path = expectation.path!;
  const {equals} = expectation;
  const isRange = expectation.atLeast !== undefined || expectation.atMost !== undefined;
  if (equals === null && !isRange) return null;
  const kind = kindOf(value);
  if (kind === 'list')
    return `${path}: a list, not a value to compare (name an element, like ${elementExample(path, value as unknown[])})`;
  if (kind === 'object')
    return `${path}: an object, not a value to compare (name one of its fields: ${Object.keys(value as object).join(', ')})`;
  if (isRange && kind !== 'number')
    return `${path}: a ${kind} field; atLeast and atMost compare numbers (equals compares a ${kind})`;
  if (equals === undefined || equals === null || kindOf(equals) === kind) return null;
  return `${path}: a ${kind} field; equals ${toJson(equals)} never matches it (${equalsHint(kind, equals)})`;
}
