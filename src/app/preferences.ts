import {rmSync} from 'node:fs';
import Conf from 'conf';
import {z} from 'zod';
import {SORT_KEYS, TABS} from '../views/dashboard-state.js';

/** What the dashboard remembers between runs. */
const preferencesSchema = z.object({
  refreshMs: z.number().int().min(100).max(60_000).catch(2000), // htop 1.5 s, btop 2 s (DESIGN §3)
  speed: z.number().min(0.01).max(1000).catch(1),
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
  /** Set when the file was unreadable or invalid and was replaced: say it once. */
  readonly notice: string | null;
  readonly path: string;
  save(values: Partial<Preferences>): void;
}

/**
 * Loads preferences with `conf` (in $XDG_CONFIG_HOME/svmtop-nodejs). A corrupt file is reported
 * once and replaced by defaults; it never stops the dashboard from starting.
 */
export function openPreferences(options: {readonly reset: boolean}): PreferenceStore {
  let notice: string | null = null;
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf<Record<string, unknown>>({projectName: 'svmtop'});
  } catch (error) {
    const path = (error as {path?: string}).path ?? guessPath();
    notice = `preferences file ${path} was unreadable (${(error as Error).message.split('\n')[0]}); using defaults`;
    rmSync(path, {force: true});
    conf = new Conf<Record<string, unknown>>({projectName: 'svmtop'});
  }
  if (options.reset) conf.clear();
  const stored = conf.store;
  const parsed = preferencesSchema.safeParse(stored);
  const values: Preferences = parsed.success ? parsed.data : DEFAULT_PREFERENCES;
  if (
    !options.reset &&
    Object.keys(stored).length > 0 &&
    JSON.stringify(values) !== JSON.stringify({...values, ...stored})
  ) {
    notice ??= `some saved preferences in ${conf.path} were invalid and were reset`;
  }
  let pending: Preferences = values;
  return {
    values,
    notice,
    path: conf.path,
    save(update) {
      const next = {...pending, ...update};
      if (JSON.stringify(next) === JSON.stringify(pending)) return;
      pending = next;
      try {
        conf.store = next;
      } catch {
        // A read-only preferences directory must not break the dashboard; nothing else to do.
      }
    },
  };
}

function guessPath(): string {
  const base = process.env.XDG_CONFIG_HOME ?? `${process.env.HOME ?? '.'}/.config`;
  return `${base}/svmtop-nodejs/config.json`;
}
