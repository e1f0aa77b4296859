import {isMigrating} from './commands-vm.js';
import {migrationInfo} from './migration-info.js';
import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {fromResult, genericError, ok, type CommandOutcome} from './qmp-command.js';
import type {QapiValue} from './qapi-visit.js';
import type {MigrationParamProblem} from './world-port.js';

/** QERR_MIGRATION_ACTIVE. */
const MIGRATION_ACTIVE = "There's a migration process in progress";

const isActive = (context: MonitorContext) => {
  const current = context.port.facts(context.vm);
  return current !== undefined && isMigrating(current);
};

/**
 * The destination host in a `tcp:HOST:PORT` URI. svmtop's hosts are reachable over TCP only, so
 * every other protocol (unix:, exec:, fd:, rdma:, vsock:) gets QEMU's answer for an unknown one.
 */
function destinationOf(uri: string): string | undefined {
  const match = /^tcp:([^:]+)(:\d+)?$/.exec(uri);
  return match?.[1];
}

/**
 * util/qemu-sockets.c inet_parse's words for a `tcp:` address it cannot split into host and port
 * (no host, or an empty port; QEMU 7.2 checked). svmtop also takes `tcp:HOST` without a port.
 */
function tcpAddressError(uri: string): string | undefined {
  if (!uri.startsWith('tcp:')) return undefined;
  const address = uri.slice('tcp:'.length);
  if (address.startsWith(':'))
    return /^:[^,]/.test(address) ? undefined : `error parsing port in address '${address}'`;
  return /^([^:]*:)?$|^[^:]*:,/.test(address) ? `error parsing address '${address}'` : undefined;
}

/**
 * QEMU 7.2's order (qemu/qemu migration/migration.c qmp_migrate: migrate_prepare, then the URI):
 * resume, the VM's own state (running or cancelling, its run state), its blockers, blk/inc, and
 * only then the URI. The host decides the VM's part (its dry run, as the `m` picker asks it) and,
 * once the URI names a host, the rest (blockers with every reason, the destination).
 */
function migrate(context: MonitorContext, args: Readonly<Record<string, QapiValue>>): CommandOutcome {
  if (args.resume === true) return genericError('Cannot resume if there is no paused migration');
  const own = context.port.migrationTargets(context.vm);
  if (!own.ok) return isActiveRefusal(own.code) ? genericError(MIGRATION_ACTIVE) : fromResult(own);
  const uri = args.uri as string;
  const to = destinationOf(uri);
  const local = blockRefusal(args) ?? (to === undefined ? uriRefusal(uri) : undefined);
  if (local !== undefined) {
    // migrate_prepare's migration_is_blocked comes before blk/inc and the URI.
    const blockers = context.port.ownMigrationBlockers(context.vm);
    return genericError(blockers.length > 0 ? blockers.join('; ') : local);
  }
  const result = context.port.command(context.vm, context.origin, {
    kind: 'migrate',
    to: to!,
    params: context.port.migrationParams(context.vm),
  });
  return !result.ok && isActiveRefusal(result.code) ? genericError(MIGRATION_ACTIVE) : fromResult(result);
}

const blockRefusal = (args: Readonly<Record<string, QapiValue>>) =>
  args.blk === true || args.inc === true
    ? 'svmtop does not simulate block migration (blk, inc): guest disks are not copied'
    : undefined;

/** A URI svmtop cannot migrate to, in QEMU's words: inet_parse's, or the unknown protocol's. */
const uriRefusal = (uri: string) =>
  tcpAddressError(uri) ?? "Parameter 'uri' expects a valid migration protocol";

/**
 * The host refuses a migrate while one runs or is being cancelled; QEMU says the same of both,
 * CANCELLING being a running state (qemu/qemu migration/migration.c migrate_prepare,
 * migration_is_running, QERR_MIGRATION_ACTIVE).
 */
const isActiveRefusal = (code: string | undefined) => code === 'migrating' || code === 'migration-cancelling';

/**
 * migrate_params_check's words (qemu/qemu migration/migration.c) for the parameter the host's own
 * range check names. QEMU takes max-bandwidth 0 as no limit; svmtop refuses it in its own words.
 */
const QEMU_RANGE_ERRORS: Partial<Record<MigrationParamProblem['param'], string>> = {
  throttleInitialPercent: "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
  throttleIncrementPercent: "Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99",
  downtimeLimitMs: "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
  throttleMaxPercent:
    "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
};

/**
 * The host checks, keeps and logs them (the VM's one set: in force at once for a running
 * migration, else kept for the next; migrate_params_check, migrate_params_apply), as it does the
 * dashboard's and the scenario's. A refusal is worded as QEMU words the parameter the host's check
 * names.
 */
function setParameters(context: MonitorContext, args: Readonly<Record<string, QapiValue>>): CommandOutcome {
  // Nothing named, nothing to do: QEMU's `{}`, and no line in the log (as `stop` on a paused VM).
  if (Object.keys(args).length === 0) return ok();
  const current = context.port.migrationParams(context.vm);
  const merged = {
    // uint64, kept whole: QEMU echoes all 64 bits (2^64 - 1 for -1) in query-migrate-parameters.
    maxBandwidthBytesPerSecond:
      (args['max-bandwidth'] as bigint | undefined) ?? current.maxBandwidthBytesPerSecond,
    // uint64, exact: a refusal names the value asked for (migrate_params_check compares the uint64).
    downtimeLimitMs: (args['downtime-limit'] as bigint | undefined) ?? current.downtimeLimitMs,
    throttleInitialPercent:
      (args['cpu-throttle-initial'] as number | undefined) ?? current.throttleInitialPercent,
    throttleIncrementPercent:
      (args['cpu-throttle-increment'] as number | undefined) ?? current.throttleIncrementPercent,
    throttleMaxPercent: (args['max-cpu-throttle'] as number | undefined) ?? current.throttleMaxPercent,
  };
  const command = {kind: 'migration-params', params: merged} as const;
  const result = context.port.command(context.vm, context.origin, command);
  if (result.ok || result.code !== 'bad-parameter') return fromResult(result);
  const problem = context.port.migrationParamProblem({...merged, autoConverge: current.autoConverge});
  return genericError((problem && QEMU_RANGE_ERRORS[problem.param]) ?? result.reason);
}

function setCapabilities(context: MonitorContext, args: Readonly<Record<string, QapiValue>>): CommandOutcome {
  let autoConverge: boolean | undefined;
  let events: boolean | undefined;
  for (const item of args.capabilities as ReadonlyArray<{capability: string; state: boolean}>) {
    if (item.capability === 'auto-converge') autoConverge = item.state;
    else events = item.state;
  }
  // The host decides (refused while migrating, auto-converge the VM's, shared with the dashboard's
  // `A`) and logs it; `events` is this monitor's, set only once the host accepts.
  const command = {kind: 'migration-capabilities', autoConverge, events} as const;
  const result = context.port.command(context.vm, context.origin, command);
  if (!result.ok) return isActiveRefusal(result.code) ? genericError(MIGRATION_ACTIVE) : fromResult(result);
  if (events !== undefined) context.capabilities.events = events;
  return fromResult(result);
}

const percentMember = (name: string) => ({name, type: 'uint8' as const, isOptional: true});

export const MIGRATION_COMMANDS: readonly MonitorCommand[] = [
  {
    name: 'migrate',
    args: [
      {name: 'uri', type: 'str'},
      {name: 'blk', type: 'bool', isOptional: true},
      {name: 'inc', type: 'bool', isOptional: true},
      {name: 'detach', type: 'bool', isOptional: true},
      {name: 'resume', type: 'bool', isOptional: true},
    ],
    run: migrate,
  },
  {
    // migrate_cancel is a no-op when nothing runs (migration.c qmp_migrate_cancel).
    name: 'migrate_cancel',
    run: (context) =>
      isActive(context)
        ? fromResult(context.port.command(context.vm, context.origin, {kind: 'migrate-cancel'}))
        : ok(),
  },
  {
    name: 'query-migrate',
    run: ({port, vm}) =>
      ok(migrationInfo(port.snapshot(vm)?.migration ?? null, port.ownMigrationBlockers(vm))),
  },
  {
    name: 'migrate-set-parameters',
    args: [
      percentMember('cpu-throttle-initial'),
      percentMember('cpu-throttle-increment'),
      {name: 'max-bandwidth', type: 'uint64', isOptional: true},
      {name: 'downtime-limit', type: 'uint64', isOptional: true},
      percentMember('max-cpu-throttle'),
    ],
    run: setParameters,
  },
  {
    name: 'query-migrate-parameters',
    run: ({port, vm}) => {
      const params = port.migrationParams(vm);
      return ok({
        'cpu-throttle-initial': params.throttleInitialPercent,
        'cpu-throttle-increment': params.throttleIncrementPercent,
        'max-bandwidth': params.maxBandwidthBytesPerSecond,
        'downtime-limit': params.downtimeLimitMs,
        'max-cpu-throttle': params.throttleMaxPercent,
      });
    },
  },
  {
    name: 'migrate-set-capabilities',
    args: [
      {
        name: 'capabilities',
        type: {
          list: {
            struct: [
              {name: 'capability', type: {enum: ['auto-converge', 'events']}},
              {name: 'state', type: 'bool'},
            ],
          },
        },
      },
    ],
    run: setCapabilities,
  },
  {
    name: 'query-migrate-capabilities',
    run: ({port, vm, capabilities}) =>
      ok([
        {capability: 'auto-converge', state: port.migrationParams(vm).autoConverge},
        {capability: 'events', state: capabilities.events},
      ]),
  },
];
