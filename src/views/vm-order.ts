import type {MigrationStatus, VmSnapshot} from '../host/snapshot-types.js';
import type {SortKey} from './dashboard-model.js';
import {troubleRank} from './device-trouble.js';
import {
  bounceFraction,
  dmaLabel,
  migrationLabel,
  securityLabel,
  stateLabel,
  VM_COLUMNS,
} from './vm-columns.js';

/** What each column sorts by: the number behind it where it shows one, else its text. */
const SORT_VALUE: Record<SortKey, (vm: VmSnapshot) => string | number> = {
  name: (vm) => vm.name,
  host: (vm) => vm.host,
  state: stateLabel,
  security: (vm) => securityLabel(vm),
  devices: troubleRank,
  dma: dmaLabel,
  bounce: (vm) => bounceFraction(vm),
  io: (vm) => vm.io.bytesPerSecond,
  // No balloon device below an empty one.
  balloon: (vm) => vm.balloon?.actualBytes ?? -1,
  migration: migrationOrder,
  vcpus: (vm) => vm.vcpus,
  memory: (vm) => vm.memoryBytes,
  workload: (vm) => vm.workload,
};

/**
 * The order of the MIGRATION column's states: none, under way, blocked, done, cancelled, failed
 * (every status ranked: a new one is a compile error here until it has its place).
 */
const MIGRATION_RANK = {
  setup: 1,
  active: 1,
  completed: 3,
  cancelling: 4,
  cancelled: 4,
  failed: 5,
} as const satisfies Record<MigrationStatus, number>;

/**
 * By state, then by the number the column shows: under way by destination and progress (the
 * label's digits compare as numbers), done by its downtime in µs (`900 ms` before `1.2s`, which as
 * text sort the other way).
 */
function migrationOrder(vm: VmSnapshot): string {
  const migration = vm.migration;
  if (!migration) return '0';
  if (migration.blockedReasons.length > 0) return `2 ${migrationLabel(vm)}`;
  const rank = MIGRATION_RANK[migration.status];
  if (migration.status === 'completed') return `${rank} ${Math.round(migration.downtimeMs * 1000)}`;
  return `${rank} ${migrationLabel(vm)}`;
}

/** What the status line says after `<`, `>` or `I` (the header marks the column too). */
export function sortText(sortKey: SortKey, isDescending: boolean): string {
  const title = VM_COLUMNS.find((column) => column.key === sortKey)?.titles[0] ?? sortKey;
  return `sorted by ${title}, ${isDescending ? 'descending' : 'ascending'} (< > another column, I inverts)`;
}

/** The VMs to list: filtered by a substring of name, host, state or security as their cells say, then sorted (name breaks ties). */
export function orderVms(
  vms: readonly VmSnapshot[],
  filter: string,
  sortKey: SortKey,
  isDescending: boolean,
): VmSnapshot[] {
  const needle = filter.trim().toLowerCase();
  const value = SORT_VALUE[sortKey];
  // Decorate, sort, undecorate: each VM's value, and the chunks of its texts, once per sort rather
  // than twice per comparison (a regex split each time). Loops and module-level comparators, not
  // callbacks made per call: this runs for every listed VM at every frame (column-layout.ts says why).
  const decorated: Decorated[] = [];
  for (const vm of vms) {
    if (needle !== '' && !isMatching(vm, needle)) continue;
    const raw = value(vm);
    const key = typeof raw === 'number' ? raw : naturalKey(raw);
    // The name's, for ties, only when one comes (names are unique: never when sorted by name).
    decorated.push({vm, key, name: sortKey === 'name' ? (key as NaturalKey) : null});
  }
  decorated.sort(isDescending ? compareDescending : compareAscending);
  const ordered: VmSnapshot[] = [];
  for (const entry of decorated) ordered.push(entry.vm);
  return ordered;
}

interface Decorated {
  readonly vm: VmSnapshot;
  readonly key: NaturalKey | number;
  name: NaturalKey | null;
}

/** Whether the filter's substring is in the VM's name, host, state or security as their cells say. */
function isMatching(vm: VmSnapshot, needle: string): boolean {
  for (const text of [vm.name, vm.host, stateLabel(vm), securityLabel(vm)])
    if (text.toLowerCase().includes(needle)) return true;
  return false;
}

function compareAscending(a: Decorated, b: Decorated): number {
  const byKey =
    typeof a.key === 'number' && typeof b.key === 'number'
      ? Math.sign(a.key - b.key)
      : compareNaturalKeys(asNaturalKey(a.key), asNaturalKey(b.key));
  return byKey === 0 ? compareNaturalKeys(nameOf(a), nameOf(b)) : byKey;
}

function compareDescending(a: Decorated, b: Decorated): number {
  return -compareAscending(a, b);
}

const nameOf = (entry: Decorated): NaturalKey => (entry.name ??= naturalKey(entry.vm.name));

/** Runs of digits, and runs of anything else. */
const CHUNKS = /\d+|\D+/g;

/** A text split for natural order once: its chunks lowercased, a run of digits without its leading zeros. */
export interface NaturalKey {
  readonly text: string;
  readonly chunks: readonly Chunk[];
}

interface Chunk {
  readonly text: string;
  /** The significant digits of a run of digits (`007` → `7`); null for any other run. */
  readonly digits: string | null;
}

export function naturalKey(text: string): NaturalKey {
  const chunks: Chunk[] = [];
  for (const chunk of text.toLowerCase().match(CHUNKS) ?? [])
    chunks.push({text: chunk, digits: isDigits(chunk) ? chunk.replace(/^0+/, '') : null});
  return {text, chunks};
}

function asNaturalKey(key: NaturalKey | number): NaturalKey {
  return typeof key === 'number' ? naturalKey(String(key)) : key;
}

/**
 * Natural order, as htop and k9s list names: digits compare as numbers (`vm-2` before `vm-10`),
 * letters without regard to case; strings equal so far (`a-02`, `a-2`; `B`, `b`) go by code units.
 * Locale-independent: names are ASCII (schema-primitives.ts nameSchema).
 */
export function naturalCompare(a: string, b: string): number {
  return compareNaturalKeys(naturalKey(a), naturalKey(b));
}

export function compareNaturalKeys(a: NaturalKey, b: NaturalKey): number {
  const left = a.chunks;
  const right = b.chunks;
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const order = compareChunks(left[index]!, right[index]!);
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

function compareChunks(left: Chunk, right: Chunk): number {
  const x = left.digits;
  const y = right.digits;
  // As numbers of any length: fewer significant digits is smaller, then digit by digit.
  if (x !== null && y !== null) {
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return left.text < right.text ? -1 : left.text > right.text ? 1 : 0;
}

function isDigits(chunk: string): boolean {
  return chunk.charCodeAt(0) >= 48 && chunk.charCodeAt(0) <= 57;
}
