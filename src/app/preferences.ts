import {accessSync, constants, rmSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import Conf from 'conf';
import envPaths from 'env-paths';
import {z} from 'zod';
import {REFRESH_MAX_MS, REFRESH_MIN_MS} from '../core/refresh-range.js';
import {SPEED_MAX, SPEED_MIN} from '../core/speed-range.js';
import {describeFsError} from '../host/config/read-bounded.js';
import {SORT_KEYS, TABS} from '../views/dashboard-state.js';

/**
 * Size cap on the preferences file, checked before `conf` reads it (conf reads whole files). The
 * file holds seven short values, about 200 bytes; 64 KiB is far past any file svmtop wrote.
 */
export const PREFERENCES_FILE_MAX_BYTES = 64 * 1024;

/** What the dashboard remembers between runs. */
const preferencesSchema = z.object({
  refreshMs: z.number().int().min(REFRESH_MIN_MS).max(REFRESH_MAX_MS).catch(2000), // htop 1.5 s, btop 2 s (DESIGN §3)
  speed: z.number().min(SPEED_MIN).max(SPEED_MAX).catch(1),
  sortKey: z.enum(SORT_KEYS).catch('name'),
  isSortDescending: z.boolean().catch(false),
  isColorEnabled: z.boolean().catch(true),
  tab: z.enum(TABS).catch('devices'),
  selectedVm: z.string().nullable().catch(null),
});

export type Preferences = z.output<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = preferencesSchema.parse({});

export interface PreferenceStore {
  readonly values: Preferences;
  /** Set when the file was unreadable, invalid or cannot be kept: say it once. */
  readonly notice: string | null;
  readonly path: string;
  save(values: Partial<Preferences>): void;
}

type ConfStore = Conf<Record<string, unknown>>;

/** Where conf keeps svmtop's preferences: $XDG_CONFIG_HOME/svmtop-nodejs/config.json on Linux. */
export function preferencesPath(): string {
  return join(envPaths('svmtop', {suffix: 'nodejs'}).config, 'config.json');
}

/**
 * Loads preferences with `conf`. Nothing about the file stops the dashboard: a corrupt or oversized
 * file is reported once and replaced by defaults; one that cannot be read or written (a directory,
 * a device, a config home that is a file or read-only) is reported once and the run goes on with
 * defaults that are not saved.
 */
export function openPreferences(options: {readonly reset: boolean}): PreferenceStore {
  const path = preferencesPath();
  const opened = openConf(path);
  const conf = opened.conf;
  let notice = opened.notice;
  if (options.reset && conf) attempt(() => conf.clear());
  const stored = (conf && attempt(() => conf.store)) ?? {};
  const parsed = preferencesSchema.safeParse(stored);
  const values: Preferences = parsed.success ? parsed.data : DEFAULT_PREFERENCES;
  if (!options.reset) notice ??= rejectedNotice(path, values, stored);
  let pending: Preferences = values;
  return {
    values,
    notice,
    path,
    save(update) {
      const next = {...pending, ...update};
      if (JSON.stringify(next) === JSON.stringify(pending)) return;
      pending = next;
      // conf reads the file again before writing: only let it where the file is still sane.
      if (conf && checkFile(path).kind !== 'unusable') attempt(() => (conf.store = next));
    },
  };
}

type FileCheck =
  | {readonly kind: 'absent' | 'fine'}
  | {readonly kind: 'oversized'; readonly sizeBytes: number}
  | {readonly kind: 'unusable'; readonly why: string};

/** What the preferences path holds, from stat alone (a device or FIFO is never opened). */
function checkFile(path: string): FileCheck {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) return {kind: 'unusable', why: 'it is a directory'};
    if (!stats.isFile()) return {kind: 'unusable', why: 'it is not a regular file'};
    if (stats.size > PREFERENCES_FILE_MAX_BYTES) return {kind: 'oversized', sizeBytes: stats.size};
    return {kind: 'fine'};
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return {kind: 'absent'};
    return {kind: 'unusable', why: describeFsError(error)};
  }
}

/** @returns conf, or null when the preferences cannot be kept this run; and what to say about it */
function openConf(path: string): {conf: ConfStore | null; notice: string | null} {
  const check = checkFile(path);
  const defaultsOnly = (why: string) => ({
    conf: null,
    notice: `preferences in ${path} cannot be used (${why}); using defaults, not saved this run`,
  });
  if (check.kind === 'unusable') return defaultsOnly(check.why);
  let notice: string | null = null;
  try {
    if (check.kind === 'oversized') {
      notice = `preferences file ${path} was ${check.sizeBytes} bytes (limit ${PREFERENCES_FILE_MAX_BYTES}); replaced by defaults`;
      rmSync(path, {force: true});
    }
    try {
      return withWriteCheck(createConf(path), notice);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      notice = `preferences file ${path} was unreadable (${error.message.split('\n')[0]}); using defaults`;
    }
    rmSync(path, {force: true});
    return withWriteCheck(createConf(path), notice);
  } catch (error) {
    return defaultsOnly(describeFsError(error));
  }
}

function createConf(path: string): ConfStore {
  return new Conf<Record<string, unknown>>({projectName: 'svmtop', cwd: dirname(path)});
}

/** A directory conf can read but not write keeps the defaults of this run only: say so at the start. */
function withWriteCheck(conf: ConfStore, notice: string | null): {conf: ConfStore; notice: string | null} {
  try {
    accessSync(dirname(conf.path), constants.W_OK);
    return {conf, notice};
  } catch (error) {
    return {
      conf,
      notice: notice ?? `preferences in ${conf.path} cannot be saved (${describeFsError(error)})`,
    };
  }
}

/** Runs a file operation that may fail for reasons outside svmtop's control; undefined if it did. */
function attempt<T>(operation: () => T): T | undefined {
  try {
    return operation();
  } catch {
    return undefined;
  }
}

/**
 * What the schema did not keep of the stored preferences, in words, or null: values it replaced
 * (an out-of-range speed, an unknown tab) and keys it dropped (not svmtop's; gone at the next save).
 */
function rejectedNotice(path: string, values: Preferences, stored: Record<string, unknown>): string | null {
  const kept: Record<string, unknown> = values;
  const storedKeys = Object.keys(stored);
  const unknown = storedKeys.filter((key) => !Object.hasOwn(kept, key));
  const invalid = storedKeys.filter(
    (key) => Object.hasOwn(kept, key) && JSON.stringify(kept[key]) !== JSON.stringify(stored[key]),
  );
  if (invalid.length > 0 && unknown.length > 0)
    return `some saved preferences in ${path} were invalid and were reset: ${invalid.join(', ')}; unknown ones were ignored: ${unknown.join(', ')}`;
  if (invalid.length > 0)
    return `some saved preferences in ${path} were invalid and were reset: ${invalid.join(', ')}`;
  if (unknown.length > 0)
    return `saved preferences in ${path} that svmtop does not know were ignored: ${unknown.join(', ')}`;
  return null;
}
