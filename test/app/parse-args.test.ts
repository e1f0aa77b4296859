import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../src/app/parse-args.js';

const parse = (...argv: string[]) => parseArgs(argv, import.meta);

describe('parseArgs', () => {
  it.each(['duration', 'seed', 'config', 'interval'])('refuses --%s given twice, naming the flag', (flag) => {
    expect(parse('--headless', `--${flag}`, '1', `--${flag}`, '2')).toEqual({
      mode: 'error',
      message: `--${flag} was given more than once; give it once`,
    });
  });

  it('refuses a repeated --key, a repeated boolean and the two spellings of one flag', () => {
    expect(parse('ticket', '--key', 'a', '--key=b', '--guest', 'g')).toMatchObject({
      message: '--key was given more than once; give it once',
    });
    expect(parse('--no-color', '--color')).toMatchObject({
      message: '--color was given more than once; give it once',
    });
    expect(parse('--reset-prefs', '--resetPrefs')).toMatchObject({
      message: '--reset-prefs was given more than once; give it once',
    });
  });

  it('says a negative duration is negative instead of reading it as flags', () => {
    expect(parse('--headless', '--duration', '-1s')).toEqual({
      mode: 'error',
      message: '--duration: a duration cannot be negative, got "-1s"',
    });
    expect(parse('--headless', '--seed', '-1')).toEqual({
      mode: 'error',
      message: '--seed: expected a whole number from 0 to 4294967295, got "-1"',
    });
  });

  it('holds --interval to the snapshot minimum and --duration to the run maximum', () => {
    expect(parse('--headless', '--interval', '1us')).toEqual({
      mode: 'error',
      message: '--interval: expected at least 10 ms between snapshots, got "1us"',
    });
    expect(parse('--headless', '--interval', '0')).toMatchObject({mode: 'error'});
    expect(parse('--headless', '--interval', '10ms')).toMatchObject({mode: 'headless', intervalUs: 10_000});
    expect(parse('--headless', '--duration', '100000h')).toMatchObject({mode: 'headless'});
    expect(parse('--headless', '--duration', '2000000h')).toEqual({
      mode: 'error',
      message: '--duration: expected at most 1000000h (a million simulated hours), got "2000000h"',
    });
  });

  it('names the bound for a duration too large to count, not the form it already has (tester, 1 Dec)', () => {
    expect(parse('--headless', '--duration', '99999999999999999h')).toEqual({
      mode: 'error',
      message: '--duration: expected at most 1000000h (a million simulated hours), got "99999999999999999h"',
    });
    expect(parse('--headless', '--interval', '1e400')).toMatchObject({
      mode: 'error',
      message: expect.stringContaining('expected a duration like') as unknown,
    });
    expect(parse('--refresh', '99999999999999999999s')).toMatchObject({
      mode: 'error',
      message: expect.stringMatching(/^--refresh: expected .*100 ?ms.*60 ?s/) as unknown,
    });
  });

  it('holds --speed to 0.01..1000, the range its message states and the keys keep to (QA item 2)', () => {
    for (const speed of ['0.001', '0.009', '1001', '0', '-1', 'fast'])
      expect(parse('--speed', speed)).toEqual({
        mode: 'error',
        message: `--speed: expected a number from 0.01 to 1000, got "${speed}"`,
      });
    expect(parse('--speed', '0.01')).toMatchObject({mode: 'dashboard', speed: 0.01});
    expect(parse('--speed', '1000')).toMatchObject({mode: 'dashboard', speed: 1000});
  });

  it('ticket: refuses --guest beside --kernel, --initrd or --size, which it ignored (tester item 3)', () => {
    for (const flag of ['kernel', 'initrd', 'size'])
      expect(parse('ticket', '--key', 'k.pem', '--guest', 'web-1', `--${flag}`, 'x')).toEqual({
        mode: 'error',
        message: `ticket: --guest and --${flag} conflict (--guest signs the world's image of that guest; --${flag} describes another)`,
      });
    expect(parse('ticket', '--key', 'k.pem', '--kernel', 'k', '--initrd', 'i', '--size', '1M')).toMatchObject(
      {
        mode: 'ticket',
      },
    );
  });

  it('ticket: refuses the flags that mean nothing to it, like any unknown flag; a run refuses ticket’s', () => {
    for (const argv of [
      ['--seed', '3'],
      ['--headless'],
      ['--no-color'],
      ['--qmp', 'q'],
      ['--duration', '1s'],
    ])
      expect(parse('ticket', '--key', 'k.pem', '--guest', 'web-1', ...argv)).toEqual({
        mode: 'error',
        message: `ticket: unknown flag ${argv[0]!.replace('--no-', '--')} (see svmtop ticket --help)`,
      });
    expect(parse('--headless', '--key', 'k.pem')).toEqual({
      mode: 'error',
      message: 'unknown flag --key (it is for svmtop ticket; see svmtop --help)',
    });
    expect(parse('--guest', 'web-1')).toEqual({
      mode: 'error',
      message: 'unknown flag --guest (it is for svmtop ticket; see svmtop --help)',
    });
  });

  it('a flag that takes a value takes the next argument whatever it starts with, as getopt does (tester item 4)', () => {
    for (const argv of [['--config', '-w.yaml'], ['--config=-w.yaml']])
      expect(parse('--headless', ...argv)).toMatchObject({mode: 'headless', configFile: '-w.yaml'});
    expect(parse('--headless', '--config', '--', '--scenario', '-s.yaml')).toMatchObject({
      mode: 'headless',
      configFile: '--',
      scenarioFile: '-s.yaml',
    });
    expect(parse('ticket', '--key', '-k.pem', '--kernel', '-v')).toMatchObject({
      mode: 'ticket',
      keyFile: '-k.pem',
      kernel: '-v',
    });
    // A value that is a flag's name is still the value, and the flag it names is not given.
    expect(parse('--headless', '--config', '--seed', '--seed', '2')).toMatchObject({
      mode: 'headless',
      configFile: '--seed',
      seed: 2,
    });
  });
});
