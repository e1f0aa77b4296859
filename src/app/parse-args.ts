import meow from 'meow';
import {checkRefreshInterval} from '../core/refresh-range.js';
import {isSpeedInRange, SPEED_RANGE_TEXT} from '../core/speed-range.js';
import {durationWritten} from '../core/units.js';
import {checkRunDuration, checkSnapshotInterval} from '../host/config/run-limits.js';
import {HELP_DESCRIPTION, HELP_TEXT, TICKET_HELP_TEXT} from './help-text.js';

/** The flags meow reads (it answers --help and --version itself); a string flag takes a value. */
export const FLAGS = {
  config: {type: 'string'},
  seed: {type: 'string'},
  headless: {type: 'boolean', default: false},
  scenario: {type: 'string'},
  duration: {type: 'string'},
  interval: {type: 'string'},
  speed: {type: 'string'},
  refresh: {type: 'string'},
  color: {type: 'boolean', default: true},
  resetPrefs: {type: 'boolean', default: false},
  key: {type: 'string'},
  guest: {type: 'string'},
  kernel: {type: 'string'},
  initrd: {type: 'string'},
  size: {type: 'string'},
  qmp: {type: 'string'},
} as const;

export const FLAG_NAMES: readonly string[] = [...Object.keys(FLAGS), 'help', 'version'];

/** The flags of `svmtop ticket`; the others are for a run (and a run takes none of these). */
export const TICKET_FLAGS: readonly string[] = [
  'config',
  'key',
  'guest',
  'kernel',
  'initrd',
  'size',
  'help',
  'version',
];
const TICKET_ONLY_FLAGS: readonly string[] = ['key', 'guest', 'kernel', 'initrd', 'size'];

/** The short spellings svmtop takes: -h as htop, -V as htop and -v as many tools for the version. */
export const SHORT_FLAGS: Readonly<Record<string, string>> = {
  '-h': '--help',
  '-v': '--version',
  '-V': '--version',
};

/** The flags that take a value. */
const VALUE_FLAGS: readonly string[] = Object.entries(FLAGS)
  .filter(([, flag]) => flag.type === 'string')
  .map(([name]) => name);

type Flags = Readonly<Record<string, unknown>>;

export type ParsedArgs =
  | {
      readonly mode: 'dashboard';
      readonly configFile: string | undefined;
      readonly seed: number | undefined;
      readonly speed: number | undefined;
      readonly refreshUs: number | undefined;
      readonly isColorEnabled: boolean;
      readonly resetPrefs: boolean;
      /** `--qmp DIR`: a QMP monitor per VM. */
      readonly qmpDir: string | undefined;
    }
  | {
      readonly mode: 'headless';
      readonly configFile: string | undefined;
      readonly scenarioFile: string | undefined;
      readonly seed: number | undefined;
      readonly durationUs: number | undefined;
      readonly intervalUs: number | undefined;
      /** With --qmp, headless runs in real time at `speed` (default 1). */
      readonly qmpDir: string | undefined;
      readonly speed: number | undefined;
    }
  | {
      readonly mode: 'ticket';
      readonly configFile: string | undefined;
      readonly keyFile: string;
      readonly guest: string | undefined;
      readonly kernel: string | undefined;
      readonly initrd: string;
      readonly size: string | undefined;
    }
  | {readonly mode: 'error'; readonly message: string};

/**
 * Parses the command line; `--help` and `--version` print and exit inside meow.
 * @returns what to run, or one error line for exit code 2
 */
export function parseArgs(argv: readonly string[], importMeta: ImportMeta): ParsedArgs {
  const asked = askedForHelp(argv);
  // meow answers --help/--version only as the sole argument: hand it just that flag (it exits 0).
  const help = asked?.command === 'ticket' ? TICKET_HELP_TEXT : HELP_TEXT;
  if (asked) meow(help, {importMeta, argv: [asked.flag], description: HELP_DESCRIPTION});
  const prepared = prepareArgv(argv);
  if (typeof prepared === 'string') return {mode: 'error', message: prepared};
  const cli = meow(HELP_TEXT, {importMeta, argv: prepared, allowUnknownFlags: true, flags: FLAGS});
  const flags = cli.flags as Flags;
  const [command, ...rest] = cli.input;
  const problem = commandLineProblem(flags, command, rest) ?? flagForOtherCommand(prepared, command);
  if (problem !== undefined) return {mode: 'error', message: problem};
  const seed = parseSeed(flags.seed as string | undefined);
  if (typeof seed === 'string') return {mode: 'error', message: seed};
  return command === 'ticket' ? ticketArgs(flags) : runArgs(flags, seed);
}

/**
 * The first --help or --version (or -h, -v, -V) before `--`, wherever it stands and before any other
 * check, as GNU getopt programs, QEMU and virsh answer it; a value flag's next argument is its value
 * (`--config --help` names a file), as prepareArgv reads it.
 */
function askedForHelp(argv: readonly string[]): {flag: string; command: string | undefined} | undefined {
  let command: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = SHORT_FLAGS[argv[index]!] ?? argv[index]!;
    if (arg === '--') return undefined;
    if (arg === '--help' || arg === '--version') return {flag: arg, command};
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (name !== undefined && VALUE_FLAGS.includes(camel(name))) index++;
    else if (!arg.startsWith('-')) command ??= arg;
  }
  return undefined;
}

/** An unknown flag, a flag without its value, an unknown command or an argument too many. */
function commandLineProblem(flags: Flags, command: string | undefined, rest: string[]): string | undefined {
  const unknown = Object.keys(flags).find((name) => !FLAG_NAMES.includes(name));
  if (unknown) return `unknown flag --${kebab(unknown)} (see svmtop --help)`;
  const empty = VALUE_FLAGS.find((name) => flags[name] === '');
  if (empty !== undefined) return `--${kebab(empty)} needs a value`;
  if (command !== undefined && command !== 'ticket')
    return `unknown command "${command}" (see svmtop --help)`;
  if (rest.length > 0) return `unexpected argument "${rest[0]}" (see svmtop --help)`;
  return undefined;
}

/**
 * A flag given on the command line that belongs to the other command: a run's flag (--seed) to
 * `svmtop ticket`, or ticket's (--key) to a run. Either would be ignored without a word.
 */
function flagForOtherCommand(argv: readonly string[], command: string | undefined): string | undefined {
  for (const name of givenFlags(argv)) {
    if (command === 'ticket' && !TICKET_FLAGS.includes(name))
      return `ticket: unknown flag --${kebab(name)} (see svmtop ticket --help)`;
    if (command !== 'ticket' && TICKET_ONLY_FLAGS.includes(name))
      return `unknown flag --${kebab(name)} (it is for svmtop ticket; see svmtop --help)`;
  }
  return undefined;
}

/** The known flags an argv (as prepareArgv leaves it) names, in order, up to `--`. */
function givenFlags(argv: readonly string[]): string[] {
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const name = /^--(?:no-)?([^=]+)/.exec(arg)?.[1];
    if (name !== undefined && FLAG_NAMES.includes(camel(name))) names.push(camel(name));
  }
  return names;
}

/** `svmtop ticket`: signs a ticket for a guest of the world or a named kernel. */
function ticketArgs(flags: Flags): ParsedArgs {
  if (!flags.key)
    return {mode: 'error', message: 'ticket: --key FILE (an Ed25519 private key in PEM) is required'};
  if (!flags.guest && !flags.kernel)
    return {mode: 'error', message: 'ticket: give --guest NAME (from the world) or --kernel NAME'};
  const other = flags.guest
    ? ['kernel', 'initrd', 'size'].find((name) => flags[name] !== undefined)
    : undefined;
  if (other !== undefined)
    return {
      mode: 'error',
      message: `ticket: --guest and --${other} conflict (--guest signs the world's image of that guest; --${other} describes another)`,
    };
  return {
    mode: 'ticket',
    configFile: flags.config as string | undefined,
    keyFile: flags.key as string,
    guest: flags.guest as string | undefined,
    kernel: flags.kernel as string | undefined,
    initrd: (flags.initrd as string | undefined) ?? '',
    size: flags.size as string | undefined,
  };
}

/** A run of the world: the dashboard, or headless with --headless. */
function runArgs(flags: Flags, seed: number | undefined): ParsedArgs {
  const durationUs = parseTime('--duration', flags.duration as string | undefined, checkRunDuration);
  const intervalUs = parseTime('--interval', flags.interval as string | undefined, checkSnapshotInterval);
  const refreshUs = parseTime('--refresh', flags.refresh as string | undefined, checkRefreshInterval);
  for (const value of [durationUs, intervalUs, refreshUs])
    if (typeof value === 'string') return {mode: 'error', message: value};
  const speed = flags.speed === undefined ? undefined : Number(flags.speed);
  if (speed !== undefined && !isSpeedInRange(speed))
    return {
      mode: 'error',
      message: `--speed: expected a number from ${SPEED_RANGE_TEXT}, got "${String(flags.speed)}"`,
    };
  const configFile = flags.config as string | undefined;
  const qmpDir = flags.qmp as string | undefined;
  if (flags.headless) {
    if (flags.refresh !== undefined)
      return {mode: 'error', message: '--refresh is for the dashboard, not --headless'};
    if (speed !== undefined && qmpDir === undefined)
      return {
        mode: 'error',
        message: '--speed needs the dashboard or --headless --qmp (plain headless runs as fast as it can)',
      };
    return {
      mode: 'headless',
      configFile,
      scenarioFile: flags.scenario as string | undefined,
      seed,
      durationUs: durationUs as number | undefined,
      intervalUs: intervalUs as number | undefined,
      qmpDir,
      speed,
    };
  }
  for (const name of ['scenario', 'duration', 'interval'])
    if (flags[name] !== undefined) return {mode: 'error', message: `--${name} needs --headless`};
  return {
    mode: 'dashboard',
    configFile,
    seed,
    speed,
    refreshUs: refreshUs as number | undefined,
    isColorEnabled: flags.color === true && !process.env.NO_COLOR,
    resetPrefs: flags.resetPrefs === true,
    qmpDir,
  };
}

function parseSeed(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff)
    return `--seed: expected a whole number from 0 to 4294967295, got "${text}"`;
  return Number(text);
}

/**
 * Checks the raw command line for what meow handles badly: a flag given twice (meow throws with a
 * stack trace), and a flag's value, which is the next argument whatever it starts with (getopt's
 * rule: `--config -w.yaml` is a file, `--duration -1s` a negative duration its check explains).
 * Each value is joined to its flag as `--config=-w.yaml`, so meow never reads it as flags.
 * @returns the argv for meow, or an error line
 */
function prepareArgv(argv: readonly string[]): string[] | string {
  const prepared: string[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < argv.length; index++) {
    const given = argv[index]!;
    if (given === '--') return [...prepared, ...argv.slice(index)];
    const arg = SHORT_FLAGS[given] ?? given;
    // meow would read `-x` as --x and the error would name a flag nobody typed.
    if (arg === given && /^-[^-\d.]/.test(arg)) return `unknown flag ${arg} (see svmtop --help)`;
    prepared.push(arg);
    const match = /^--(?:no-)?([^=]+)(=?)/.exec(arg);
    const name = match ? camel(match[1]!) : undefined;
    if (name === undefined || !FLAG_NAMES.includes(name)) continue;
    if (seen.has(name)) return `--${kebab(name)} was given more than once; give it once`;
    seen.add(name);
    const next = argv[index + 1];
    if (VALUE_FLAGS.includes(name) && match![2] === '' && !arg.startsWith('--no-') && next !== undefined) {
      prepared[prepared.length - 1] = `${arg}=${next}`;
      index++;
    }
  }
  return prepared;
}

function parseTime(
  flag: string,
  text: string | undefined,
  check: (microseconds: number) => string | undefined,
): number | string | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('-')) return `${flag}: a duration cannot be negative, got "${text}"`;
  const microseconds = durationWritten(text);
  if (microseconds === undefined) return `${flag}: expected a duration like 60s, 500ms or 2m, got "${text}"`;
  // Every flag's check has an upper bound, so a duration too large to count names that bound.
  const problem = check(microseconds);
  return problem === undefined ? microseconds : `${flag}: ${problem}, got "${text}"`;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
