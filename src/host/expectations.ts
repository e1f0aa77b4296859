import type {WorldEvent} from '../core/event-log.js';
import {toJson} from '../core/exact-json.js';
import {escapeBeyondJson} from './config/format-issue.js';
import {expectationValueProblem} from './expectation-values.js';
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

/** Where a path leads: a value (undefined when it runs into null or a missing element), or a field no snapshot has. */
export type PathLookup =
  | {readonly kind: 'value'; readonly value: unknown}
  | {
      readonly kind: 'no-such-field';
      /** The path up to the object without the field ('' for the snapshot itself). */
      readonly at: string;
      readonly field: string;
      /** The fields it has (none for a string, number or boolean). */
      readonly known: readonly string[];
      /** What it is when not an object (`string`, `number`, `boolean`), else null. */
      readonly primitive: string | null;
    }
  | {
      readonly kind: 'no-such-element';
      /** The path up to the list, which is one of FIXED_LISTS. */
      readonly at: string;
      readonly index: string;
      /** Its elements, as an index would name them: `0 (net, virtio0)`. */
      readonly known: readonly string[];
    };

/**
 * Lists whose elements are the config's, for the whole run: a VM's devices (world-snapshot.ts,
 * from the guest's backends, which createBackends makes from `config.devices`, a migration too).
 * An index naming none of them is a mistake; an element missing from any other list (a blocked
 * reason, a negotiated feature) may be there at another time, so it is a failed expectation.
 */
const FIXED_LISTS: ReadonlySet<string> = new Set(['devices']);

/** Each element of a fixed list as an index names it: its position, then its type and id. */
const elementNames = (list: readonly Record<string, unknown>[]): string[] =>
  list.map((item, index) => `${index} (${[item.type, item.id ?? item.name].filter(Boolean).join(', ')})`);

/**
 * Follows a dotted path in a snapshot object: `security.state`, `devices[1].failed`, and
 * `devices[blk].failed` (a non-numeric index picks the element whose `type`, `id` or `name`
 * matches). Snapshot objects always carry every field of their type (absent ones are null), so
 * a field an object lacks is a misspelt path, not a state of the world.
 */
export function lookUpPath(root: unknown, path: string): PathLookup {
  let value: unknown = root;
  let at = '';
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (value === null || value === undefined) return {kind: 'value', value: undefined};
    if (Array.isArray(value)) {
      const list = value as Record<string, unknown>[];
      value = /^\d+$/.test(part)
        ? list[Number(part)]
        : list.find((item) => item.type === part || item.id === part || item.name === part);
      if (value === undefined && FIXED_LISTS.has(at.slice(at.lastIndexOf('.') + 1)))
        return {kind: 'no-such-element', at, index: part, known: elementNames(list)};
      at += `[${part}]`;
      continue;
    }
    // Own fields only: `constructor.name` must not find "Object" on every snapshot.
    if (typeof value !== 'object' || !Object.hasOwn(value, part)) {
      const primitive = typeof value === 'object' ? null : typeof value;
      return {kind: 'no-such-field', at, field: part, known: primitive ? [] : Object.keys(value), primitive};
    }
    value = (value as Record<string, unknown>)[part];
    at += at === '' ? part : `.${part}`;
  }
  return {kind: 'value', value};
}

/** The value at `path` (see lookUpPath), undefined when there is none. */
export function readPath(root: unknown, path: string): unknown {
  const found = lookUpPath(root, path);
  return found.kind === 'value' ? found.value : undefined;
}

/**
 * Why an expectation's path can never match, in words (the snapshot has no such field, or the
 * field holds no value of the expectation's type), or null: a misspelling is bad input, not a
 * failed expectation.
 */
export function expectationPathProblem(expectation: Expectation, snapshot: WorldSnapshot): string | null {
  if (expectation.path === undefined) return null;
  const isVm = expectation.vm !== undefined;
  const subject = isVm
    ? snapshot.vms.find((vm) => vm.name === expectation.vm)
    : snapshot.hosts.find((host) => host.name === expectation.host);
  if (!subject) return null;
  const found = lookUpPath(subject, expectation.path);
  if (found.kind === 'value') return expectationValueProblem(expectation, found.value);
  const {path} = expectation;
  if (found.kind === 'no-such-element') {
    const elements = found.known.length > 0 ? `its elements: ${found.known.join(', ')}` : 'it has none';
    return `${path}: ${found.at} has no element [${found.index}] (${elements})`;
  }
  const {at, field, known} = found;
  if (found.primitive) return `${path}: ${at} is a ${found.primitive}, with no fields`;
  const owner = at === '' ? `a ${isVm ? 'VM' : 'host'} snapshot` : at;
  const nearest = nearestNames(field, known);
  const hint = nearest.length > 0 ? `nearest: ${nearest.join(', ')}` : `its fields: ${known.join(', ')}`;
  return `${path}: ${owner} has no field "${field}" (${hint})`;
}

/** Names a few edits from `name` (one per three letters), or sharing its first four letters; nearest first. */
function nearestNames(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return known
    .map((candidate) => ({candidate, distance: editDistance(lower, candidate.toLowerCase())}))
    .filter(
      ({candidate, distance}) =>
        distance <= Math.max(1, Math.floor(lower.length / 3)) ||
        (lower.length >= 4 && candidate.toLowerCase().startsWith(lower.slice(0, 4))),
    )
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({candidate}) => candidate);
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
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

/**
 * The path problems (expectationPathProblem) of `expectations` in `snapshot`, by index. Asked of
 * the world as it is built, before the run: every field is there (null where absent), so a
 * misspelt name shows at once; a path through what is null then (swiotlb before the kernel boots)
 * is asked again of the final snapshot.
 */
export function expectationPathProblems(
  expectations: readonly Expectation[],
  snapshot: WorldSnapshot,
): {readonly index: number; readonly problem: string}[] {
  return expectations.flatMap((expectation, index) => {
    const problem = expectationPathProblem(expectation, snapshot);
    return problem === null ? [] : [{index, problem}];
  });
}
