import {z} from 'zod';
import {dmaPolicySchema, WORKLOADS} from './world-schema.js';
import {quoted} from './format-issue.js';
import {checkRunDuration, checkSnapshotInterval} from './run-limits.js';
import {DOWNTIME_LIMIT_MS_MAX} from '../migration/migration-params.js';
import {
  boundedDurationSchema,
  durationSchema,
  nameSchema,
  oneOf,
  parseNested,
  sizeSchema,
} from './schema-primitives.js';

export const FAULT_KINDS = [
  'link-down',
  'link-up',
  'key-exchange',
  'crash',
  'malformed-chain',
  'secure-memory-exhaustion',
  'swiotlb-exhaustion',
] as const;

const at = {at: durationSchema, vm: nameSchema};

/** QEMU reads max-bandwidth 0 as no limit (`migration/migration-stats.c migration_rate_exceeded`). */
const maxBandwidthSchema = sizeSchema.refine((bytesPerSecond) => bytesPerSecond > 0, {
  message: 'expected a rate above 0 (QEMU reads 0 as "no limit"; leave it out for its 128MiB/s default)',
});

/** migrate_params_check's ranges for the parameters a migration takes. */
const migrationParameters = {
  maxBandwidth: maxBandwidthSchema.optional(),
  downtimeLimitMs: z.number().int().min(1).max(DOWNTIME_LIMIT_MS_MAX).optional(),
};

const stepSchemas = {
  pause: z.strictObject({do: z.literal('pause'), ...at}),
  resume: z.strictObject({do: z.literal('resume'), ...at}),
  reboot: z.strictObject({do: z.literal('reboot'), ...at}),
  secure: z.strictObject({do: z.literal('secure'), ...at}),
  unsecure: z.strictObject({do: z.literal('unsecure'), ...at}),
  balloon: z.strictObject({
    do: z.literal('balloon'),
    ...at,
    target: sizeSchema,
    force: z.boolean().default(false),
  }),
  policy: z.strictObject({do: z.literal('policy'), ...at, policy: dmaPolicySchema}),
  workload: z.strictObject({do: z.literal('workload'), ...at, workload: oneOf(WORKLOADS)}),
  migrate: z.strictObject({
    do: z.literal('migrate'),
    ...at,
    to: nameSchema,
    maxBandwidth: maxBandwidthSchema.optional(),
    downtimeLimitMs: z.number().int().min(1).max(60_000).optional(),
    autoConverge: z.boolean().optional(),
  }),
  'migrate-cancel': z.strictObject({do: z.literal('migrate-cancel'), ...at}),
  /** QEMU's migrate-set-parameters: in force at once on a running migration, and kept for the next. */
  'migrate-set-parameters': z.strictObject({
    do: z.literal('migrate-set-parameters'),
    ...at,
    ...migrationParameters,
  }),
  /** Cancel, then migrate again to the same host with these settings (a capability needs that). */
  'migrate-restart': z.strictObject({
    do: z.literal('migrate-restart'),
    ...at,
    ...migrationParameters,
    autoConverge: z.boolean().optional(),
  }),
  fault: z.strictObject({
    do: z.literal('fault'),
    at: durationSchema,
    kind: oneOf(FAULT_KINDS),
    vm: nameSchema.optional(),
    /** For link faults: the two hosts the link joins. */
    hosts: z
      .tuple([nameSchema, nameSchema])
      .refine(([a, b]) => a !== b, {message: 'a link joins two different hosts'})
      .optional(),
  }),
} as const;

export const STEP_COMMANDS = Object.keys(stepSchemas) as (keyof typeof stepSchemas)[];

/** A step: the `do` word picks its schema, so an unknown command gets one clear message. */
const stepSchema = z.custom<unknown>().transform((value, context) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({
      code: 'invalid_type',
      expected: 'object',
      input: value,
      message: 'expected a step like {at: 5s, do: pause, vm: web-1}',
    });
    return z.NEVER;
  }
  const command = (value as {do?: unknown}).do;
  const schema = typeof command === 'string' ? stepSchemas[command as keyof typeof stepSchemas] : undefined;
  if (!schema) {
    context.addIssue({
      code: 'custom',
      path: ['do'],
      input: command,
      message: `expected one of ${STEP_COMMANDS.join(', ')}`,
    });
    return z.NEVER;
  }
  return parseNested(schema, value, context);
});

export type ScenarioStep = z.output<(typeof stepSchemas)[keyof typeof stepSchemas]>;

/** `security.state`, `devices[blk].faults`, `migration.blockedReasons[0]`: fields and indices. */
const EXPECTATION_PATH_PATTERN = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[\w-]+\])*$/;

/** Names every object inherits: a path through them would read JavaScript, not the snapshot. */
const INHERITED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const expectationPathSchema = z.string().superRefine((path, context) => {
  if (!EXPECTATION_PATH_PATTERN.test(path))
    context.addIssue({
      code: 'custom',
      message: 'expected a path like security.state or devices[blk].faults',
    });
  const inherited = path.split(/[.[\]]/).find((part) => INHERITED_NAMES.has(part));
  if (inherited !== undefined)
    context.addIssue({
      code: 'custom',
      message: `${quoted(inherited)} is not a snapshot field (a path reads the snapshot's own fields only)`,
    });
});

const expectationSchema = z
  .strictObject({
    vm: nameSchema.optional(),
    host: nameSchema.optional(),
    /** A dotted path into the VM's (or host's) snapshot: `security.state`, `devices[1].failed`. */
    path: expectationPathSchema.optional(),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    atLeast: z.number().optional(),
    atMost: z.number().optional(),
    /** Text that must appear in an event of this VM (or any, without vm). */
    event: z.string().min(1).optional(),
  })
  .refine(
    (expectation) => (expectation.path !== undefined) !== (expectation.event !== undefined),
    'expected either path (with equals, atLeast or atMost) or event',
  )
  .refine(
    (expectation) =>
      expectation.path === undefined ||
      expectation.equals !== undefined ||
      expectation.atLeast !== undefined ||
      expectation.atMost !== undefined,
    'a path needs equals, atLeast or atMost',
  )
  .refine(
    (expectation) =>
      expectation.equals === undefined ||
      (expectation.atLeast === undefined && expectation.atMost === undefined),
    'equals takes no atLeast or atMost (equals alone decides)',
  )
  .refine(
    (expectation) =>
      expectation.path === undefined || (expectation.vm !== undefined) !== (expectation.host !== undefined),
    'a path needs exactly one of vm or host',
  );

export type Expectation = z.output<typeof expectationSchema>;

export const scenarioSchema = z.strictObject({
  /** What the scenario shows, for people. */
  description: z.string().optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  duration: boundedDurationSchema(checkRunDuration).optional(),
  interval: boundedDurationSchema(checkSnapshotInterval).optional(),
  steps: z.array(stepSchema).default([]),
  expect: z.array(expectationSchema).default([]),
});

export type Scenario = Omit<z.output<typeof scenarioSchema>, 'steps'> & {readonly steps: ScenarioStep[]};
