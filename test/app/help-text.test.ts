import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {HELP_DESCRIPTION} from '../../src/app/help-text.js';
import {FLAG_NAMES, FLAGS, parseArgs, SHORT_FLAGS, TICKET_FLAGS} from '../../src/app/parse-args.js';
import {ROOT, runCli} from '../helpers/cli.js';

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** How a help text spells a flag: a boolean that is on by default is given as --no-<name>. */
function spelling(name: string): string {
  const flag = (FLAGS as Record<string, {type: string; default?: unknown}>)[name];
  return flag?.type === 'boolean' && flag.default === true ? `--no-${kebab(name)}` : `--${kebab(name)}`;
}

/** Whether `option` (`--seed`, `--no-color`) takes a value: a value after a boolean is a stray argument. */
function takesValue(option: string): boolean {
  const name = option
    .replace(/^--(no-)?/, '')
    .replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return (FLAGS as Record<string, {type: string}>)[name]?.type === 'string';
}

/** `option` as a word of `text`: not the tail of a longer flag (--color in --no-color). */
const names = (text: string, option: string) => new RegExp(`(?<![\\w-])${option}(?![\\w-])`).test(text);

/** The long flags a help text names, as `--word` (the `--` of an argv alone is not one). */
const namedFlags = (text: string) => [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g))];

// GNU's coding standards and the meow/sindresorhus CLIs wrap --help to fit 80 columns, the
// description of an option wrapped under its own column.
describe.each([
  // svmtop --help shows ticket's usage line too: its flags are ticket's.
  {help: 'svmtop --help', argv: ['--help'], accepted: FLAG_NAMES, commands: [[], ['ticket']]},
  {help: 'svmtop ticket --help', argv: ['ticket', '--help'], accepted: TICKET_FLAGS, commands: [['ticket']]},
])('$help', ({argv, accepted, commands}) => {
  const {status, stdout} = runCli(argv);

  it('has no line over 80 columns', () => {
    expect(status).toBe(0);
    expect(stdout.split('\n').filter((line) => [...line].length > 80)).toEqual([]);
  });

  it('names every flag the command accepts, and the short spellings of those', () => {
    const missing = accepted.map(spelling).filter((option) => !names(stdout, option));
    expect(missing).toEqual([]);
    const shorts = Object.entries(SHORT_FLAGS).filter(([, long]) => accepted.includes(long.slice(2)));
    expect(shorts.map(([short]) => short).filter((short) => !names(stdout, short))).toEqual([]);
  });

  it('names no flag the command refuses as unknown', () => {
    const refused = namedFlags(stdout)
      .filter((option) => option !== '--help' && option !== '--version') // meow answers these and exits
      .filter((option) =>
        commands.every((command) => {
          const parsed = parseArgs([...command, option, ...(takesValue(option) ? ['x'] : [])], import.meta);
          return parsed.mode === 'error' && parsed.message.includes('unknown flag');
        }),
      );
    expect(refused).toEqual([]);
  });
});

describe('the description above the help', () => {
  it("is package.json's, word for word, wrapped as it is printed", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {description: string};
    expect(HELP_DESCRIPTION.split(/\s+/).join(' ')).toBe(pkg.description);
    const help = runCli(['--help']).stdout;
    expect(help.startsWith(`\n${HELP_DESCRIPTION.replace(/^/gm, '  ')}\n\n  Usage\n`)).toBe(true);
  });
});
