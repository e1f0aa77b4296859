import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DEFAULT_PREFERENCES, openPreferences} from '../../src/app/preferences.js';

let configHome: string;
let savedHome: string | undefined;
beforeEach(() => {
  savedHome = process.env.XDG_CONFIG_HOME;
  configHome = mkdtempSync(join(tmpdir(), 'svmtop-prefs-unit-'));
  process.env.XDG_CONFIG_HOME = configHome;
});
afterEach(() => {
  if (savedHome === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedHome;
});

const prefsDir = () => join(configHome, 'svmtop-nodejs');
const prefsFile = () => join(prefsDir(), 'config.json');

/** Opens the preferences, changes one and saves it: none of it may throw. */
function openAndSave() {
  const store = openPreferences({reset: false});
  store.save({tab: 'events'});
  return store;
}

describe('preferences that cannot be kept', () => {
  it('config.json is a directory: defaults, one notice, saving does nothing', () => {
    mkdirSync(prefsFile(), {recursive: true});
    const store = openAndSave();
    expect(store.values).toEqual(DEFAULT_PREFERENCES);
    expect(store.notice).toBe(
      `preferences in ${prefsFile()} cannot be used (it is a directory); using defaults, not saved this run`,
    );
  });

  it('XDG_CONFIG_HOME is a regular file', () => {
    process.env.XDG_CONFIG_HOME = join(configHome, 'file');
    writeFileSync(process.env.XDG_CONFIG_HOME, '');
    expect(openAndSave().notice).toMatch(/cannot be used \(a parent is not a directory\)/);
  });

  it('XDG_CONFIG_HOME is missing and cannot be created (sysfs refuses even root)', () => {
    process.env.XDG_CONFIG_HOME = '/sys/svmtop-config';
    const store = openAndSave();
    expect(store.values).toEqual(DEFAULT_PREFERENCES);
    expect(store.notice).toMatch(
      /cannot be used \((permission denied|operation not permitted)\); using defaults, not saved this run$/,
    );
  });

  // Root writes to any directory whatever its mode, so this one needs an ordinary user.
  it.skipIf(process.getuid?.() === 0)(
    'the preferences directory is read-only: read, and said once that changes are not saved',
    () => {
      mkdirSync(prefsDir(), {recursive: true});
      writeFileSync(prefsFile(), JSON.stringify({tab: 'swiotlb'}));
      chmodSync(prefsDir(), 0o500);
      const store = openAndSave();
      expect(store.values.tab).toBe('swiotlb');
      expect(store.notice).toBe(`preferences in ${prefsFile()} cannot be saved (permission denied)`);
      chmodSync(prefsDir(), 0o700);
    },
  );

  it('a symbolic link to /dev/zero is never read', () => {
    mkdirSync(prefsDir(), {recursive: true});
    symlinkSync('/dev/zero', prefsFile());
    expect(openAndSave().notice).toMatch(/cannot be used \(it is not a regular file\)/);
  });

  it('an oversized file is replaced by defaults, which are saved', () => {
    mkdirSync(prefsDir(), {recursive: true});
    writeFileSync(prefsFile(), '');
    truncateSync(prefsFile(), 10 * 1024 * 1024);
    const store = openAndSave();
    expect(store.notice).toBe(
      `preferences file ${prefsFile()} was 10485760 bytes (limit 65536); replaced by defaults`,
    );
    expect(JSON.parse(readFileSync(prefsFile(), 'utf8'))).toMatchObject({tab: 'events'});
  });

  it('a corrupt file is replaced, as before', () => {
    mkdirSync(prefsDir(), {recursive: true});
    writeFileSync(prefsFile(), '{ not json');
    expect(openAndSave().notice).toMatch(/was unreadable .*; using defaults$/);
    expect(JSON.parse(readFileSync(prefsFile(), 'utf8'))).toMatchObject({tab: 'events'});
  });
});

/** Writes `values` as the saved preferences and opens them. */
function remember(values: object) {
  mkdirSync(prefsDir(), {recursive: true});
  writeFileSync(prefsFile(), JSON.stringify(values));
  return openPreferences({reset: false});
}

describe('the notice names what was wrong with each saved preference', () => {
  it('a key svmtop does not know is called unknown, not invalid', () => {
    const store = remember({speed: 4, colour: 'blue'});
    expect(store.values.speed).toBe(4);
    expect(store.notice).toBe(
      `saved preferences in ${prefsFile()} that svmtop does not know were ignored: colour`,
    );
  });

  it('an invalid value and an unknown key are told apart in one notice', () => {
    const store = remember({speed: 'fast', colour: 'blue', tab: 'events'});
    expect(store.values).toMatchObject({speed: 1, tab: 'events'});
    expect(store.notice).toBe(
      `some saved preferences in ${prefsFile()} were invalid and were reset: speed; unknown ones were ignored: colour`,
    );
  });
});

describe('a remembered speed keeps to the range --speed accepts (QA item 2)', () => {
  it('0.01 and 1000 are kept', () => {
    expect(remember({speed: 0.01}).values.speed).toBe(0.01);
    expect(remember({speed: 1000}).values.speed).toBe(1000);
  });

  it('0.001 and 1001 are reset to 1 with one notice naming the preference, as any invalid preference', () => {
    for (const speed of [0.001, 1001]) {
      const store = remember({speed, tab: 'events'});
      expect(store.values).toMatchObject({speed: 1, tab: 'events'});
      expect(store.notice).toBe(
        `some saved preferences in ${prefsFile()} were invalid and were reset: speed`,
      );
    }
  });
});

describe('a remembered sort column', () => {
  it('any column of the list is kept', () => {
    for (const sortKey of ['vcpus', 'migration', 'io'])
      expect(remember({sortKey, tab: 'events'}).values).toMatchObject({sortKey, tab: 'events'});
  });

  it('one svmtop no longer has falls back to the VM name, the rest kept, with one notice', () => {
    const store = remember({sortKey: 'cpu', isSortDescending: true, tab: 'events'});
    expect(store.values).toMatchObject({sortKey: 'name', isSortDescending: true, tab: 'events'});
    expect(store.notice).toBe(
      `some saved preferences in ${prefsFile()} were invalid and were reset: sortKey`,
    );
  });
});
