import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';

// GNU getopt programs, QEMU (`-M pseries -h`) and virsh answer --help and --version wherever they
// stand, before any other check; svmtop only did when the flag was the sole argument.
describe('--help and --version anywhere on the command line', () => {
  const help = runCli(['--help']);
  const version = runCli(['--version']);

  it.each([
    ['--headless', '--help'],
    ['--help', '--headless'],
    ['--seed', '3', '--help'],
    ['--headless', '-h'],
    ['--bogus', '--help'],
    ['--seed', '1', '--seed', '2', '-h'],
  ])('%j prints the help on stdout, exit 0', (...argv) => {
    expect(runCli(argv)).toEqual({status: 0, stdout: help.stdout, stderr: ''});
  });

  it.each([
    ['--version', '--headless'],
    ['--headless', '-V'],
    ['--seed', '3', '-v'],
  ])('%j prints the version on stdout, exit 0', (...argv) => {
    expect(runCli(argv)).toEqual({status: 0, stdout: version.stdout, stderr: ''});
  });

  it('svmtop ticket --help prints ticket usage, exit 0', () => {
    const result = runCli(['ticket', '--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('svmtop ticket --key FILE');
    expect(result.stdout).not.toContain('--headless');
    expect(runCli(['ticket', '--guest', 'web', '-h'])).toEqual(result);
  });

  it('a value that reads --help is the value (getopt), not a request for help', () => {
    const result = runCli(['--headless', '--config', '--help']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });
});
