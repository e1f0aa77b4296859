import {z} from 'zod';
import {parseDuration, parseSize, sizeUnitsText} from '../../core/units.js';
import {CONFIG_PARSE_OPTIONS} from './format-issue.js';

const SIZE_RULE = 'expected a size like "4GiB"';
const SIZE_BOUND = '8192TiB (2^53 bytes, the most svmtop counts exactly)';
const DURATION_RULE = 'expected a duration like "30s" or "500ms"';

/** A size in bytes written as `4GiB`, `128MiB`, `64K` or a plain number of bytes. */
export const sizeSchema = z
  .union([z.string(), z.number()], {error: SIZE_RULE})
  .transform((value, context) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      context.addIssue({code: 'custom', message: sizeProblem(value)});
      return z.NEVER;
    }
    return bytes;
  });

/**
 * Why a size is refused: a number of bytes must be whole and below 2^53, the most svmtop counts
 * exactly; a unit must be one parseSize reads (none past TiB); anything else is no size.
 */
function sizeProblem(value: string | number): string {
  const text = String(value).trim();
  const isNumber = typeof value === 'number' || /^\d+(?:\.\d+)?(?:e\+?\d+)?$/i.test(text);
  const unit = /^\d+(?:\.\d+)?\s*([a-z]+)$/i.exec(text)?.[1];
  const isUnitRead = unit !== undefined && parseSize(`1${unit}`) !== undefined;
  const isTooBig = isNumber ? Number(text) > Number.MAX_SAFE_INTEGER : isUnitRead;
  if (isTooBig) return `expected a size below ${SIZE_BOUND}`;
  if (isNumber && Number(text) >= 0) return `${SIZE_RULE} or a whole number of bytes`;
  if (unit !== undefined)
    return `${SIZE_RULE}: svmtop reads ${sizeUnitsText()}, below ${SIZE_BOUND}, not ${JSON.stringify(unit)}`;
  return SIZE_RULE;
}

/** A duration in microseconds written as `60s`, `500ms`, `2m`, or a number of seconds. */
export const durationSchema = z
  .union([z.string(), z.number()], {error: DURATION_RULE})
  .transform((value, context) => {
    const microseconds = parseDuration(value);
    if (microseconds === undefined || !Number.isSafeInteger(microseconds)) {
      context.addIssue({code: 'custom', message: DURATION_RULE});
      return z.NEVER;
    }
    return microseconds;
  });

/** A duration held to a rule (a run's length, a snapshot interval): `check` says why it is refused. */
export function boundedDurationSchema(check: (microseconds: number) => string | undefined) {
  return durationSchema.superRefine((microseconds, context) => {
    const problem = check(microseconds);
    if (problem !== undefined) context.addIssue({code: 'custom', message: problem});
  });
}

/** `on`/`off` as libvirt writes them, or a YAML boolean. */
export const onOffSchema = z
  .union([z.boolean(), z.enum(['on', 'off'])])
  .transform((value) => value === true || value === 'on');

const NAME_RULE =
  'expected a name of ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (at most 31 characters)';
export const nameSchema = z.string({error: NAME_RULE}).regex(/^[a-z0-9][a-z0-9._-]{0,30}$/i, NAME_RULE);

/** A list of allowed words (describeIssue lists them in its message). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values);
}

/** Parses a value with a nested schema from inside a transform, its issues reported as the nested schema's own. */
export function parseNested<S extends z.ZodType>(schema: S, value: unknown, context: z.RefinementCtx) {
  const parsed = schema.safeParse(value, CONFIG_PARSE_OPTIONS);
  if (parsed.success) return parsed.data as z.output<S>;
  for (const issue of parsed.error.issues)
    context.addIssue({...issue} as Parameters<typeof context.addIssue>[0]);
  return z.NEVER;
}
