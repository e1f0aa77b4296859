import type {WorldEvent} from '../core/event-log.js';
import {toJson} from '../core/exact-json.js';
import {escapeBeyondJson} from './config/format-issue.js';
import type {Expectation} from './config/scenario-schema.js';
import type {WorldSnapshot} from './snapshot-types.js';

export interface ExpectationResult {
  readonly vm: string | null;
  readonly host: string | null;
  readonly path: string | null;
  readonly event: string | null;
  readonly expected: string;
  readonly actual: unknown;
  readonly ok: boolean;
}

/**
 * Reads a dotted path from a snapshot object: `security.state`, `devices[1].failed`, and
 * `devices[blk].failed` (a non-numeric index picks the element whose `type`, `id` or `name` matches).
 */
export function readPath(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value) && !/^\d+$/.test(part)) {
      value = value.find(
        (item: Record<string, unknown>) => item.type === part || item.id === part || item.name === part,
      );
    } else {
      // Own fields only: `constructor.name` must not find "Object" on every snapshot.
      value =
        typeof value === 'object' && Object.hasOwn(value, part)
          ? (value as Record<string, unknown>)[part]
          : undefined;
    }
  }
  return value;
}

/** Checks every expectation against the final snapshot and every event seen. */
export function checkExpectations(
  expectations: readonly Expectation[],
  snapshot: WorldSnapshot,
  events: readonly WorldEvent[],
): ExpectationResult[] {
  return expectations.map((expectation) => {
    if (expectation.event !== undefined) {
      const text = expectation.event;
      const found = events.find(
        (event) =>
          (expectation.vm === undefined || event.vm === expectation.vm) && event.message.includes(text),
      );
      return {
        vm: expectation.vm ?? null,
        host: null,
        path: null,
        event: text,
        expected: 'an event containing this text',
        actual: found?.message ?? null,
        ok: found !== undefined,
      };
    }
    const path = expectation.path ?? '';
    const subject =
      expectation.vm !== undefined
        ? snapshot.vms.find((vm) => vm.name === expectation.vm)
        : snapshot.hosts.find((host) => host.name === expectation.host);
    const actual = readPath(subject, path);
    const checks: Array<[string, boolean]> = [];
    if (expectation.equals !== undefined)
      checks.push([`equals ${JSON.stringify(expectation.equals)}`, actual === expectation.equals]);
    if (expectation.atLeast !== undefined)
      checks.push([
        `at least ${expectation.atLeast}`,
        typeof actual === 'number' && actual >= expectation.atLeast,
      ]);
    if (expectation.atMost !== undefined)
      checks.push([
        `at most ${expectation.atMost}`,
        typeof actual === 'number' && actual <= expectation.atMost,
      ]);
    return {
      vm: expectation.vm ?? null,
      host: expectation.host ?? null,
      path,
      event: null,
      expected: checks.map(([text]) => text).join(' and '),
      actual: actual === undefined ? null : actual,
      ok: checks.every(([, ok]) => ok),
    };
  });
}

/**
 * One line for a failed expectation: what it is about, what was expected, what was seen. Values as
 * JSON (a bigint as its exact integer), the characters JSON leaves raw escaped as config errors are.
 */
export function describeFailedExpectation(result: ExpectationResult): string {
  const subject =
    result.vm !== null ? `vm ${result.vm}` : result.host !== null ? `host ${result.host}` : 'any vm';
  if (result.event !== null) {
    const seen = result.actual === null ? 'none' : toJson(result.actual);
    return escapeBeyondJson(`${subject}: expected an event containing ${toJson(result.event)}, saw ${seen}`);
  }
  const seen = result.actual === null ? 'nothing there' : toJson(result.actual);
  return escapeBeyondJson(`${subject}: ${result.path}: expected ${result.expected}, saw ${seen}`);
}
