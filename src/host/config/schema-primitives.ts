import {z} from 'zod';
import {parseDuration, parseSize} from '../../core/units.js';
import {formatRunTime} from './run-limits.js';

/** A size in bytes written as `4GiB`, `128MiB`, `64K` or a plain number of bytes. */
export const sizeSchema = z.union([z.string(), z.number()]).transform((value, context) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    context.addIssue({code: 'custom', message: `expected a size like "4GiB", got ${JSON.stringify(value)}`});
    return z.NEVER;
  }
  return bytes;
});

/** A duration in microseconds written as `60s`, `500ms`, `2m`, or a number of seconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, context) => {
  const microseconds = parseDuration(value);
  if (microseconds === undefined || !Number.isSafeInteger(microseconds)) {
    context.addIssue({
      code: 'custom',
      message: `expected a duration like "30s" or "500ms", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return microseconds;
});

/** A duration held to a rule (a run's length, a snapshot interval): `check` says why it is refused. */
export function boundedDurationSchema(check: (microseconds: number) => string | undefined) {
  return durationSchema.superRefine((microseconds, context) => {
    const problem = check(microseconds);
    if (problem !== undefined)
      context.addIssue({code: 'custom', message: `${problem}, got ${formatRunTime(microseconds)}`});
  });
}

/** `on`/`off` as libvirt writes them, or a YAML boolean. */
export const onOffSchema = z
  .union([z.boolean(), z.enum(['on', 'off'])])
  .transform((value) => value === true || value === 'on');

export const nameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,30}$/i,
    'expected a name of letters, digits, ".", "_" or "-" (at most 31 characters)',
  );

/** A list of allowed words, with an error message that lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {error: () => `expected one of ${values.join(', ')}`});
}

/**
 * Re-reports a nested schema's issues from inside a transform, keeping paths and our wording
 * (unknown keys are named; zod's "Invalid input: " prefix is dropped).
 */
export function forwardIssues(error: z.ZodError, context: z.RefinementCtx): void {
  for (const issue of error.issues) {
    const isUnknownKey = issue.code === 'unrecognized_keys';
    context.addIssue({
      code: 'custom',
      path: (isUnknownKey ? [...issue.path, issue.keys[0] ?? ''] : issue.path) as PropertyKey[],
      message: isUnknownKey
        ? `unknown key "${issue.keys[0]}"`
        : issue.message.replace(/^Invalid input: /, ''),
    });
  }
}
