import {spawn} from 'node:child_process';
import {existsSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {parseArgs} from '../../src/app/parse-args.js';
import {CLI, runCli} from '../helpers/cli.js';
import {pollUntil} from '../helpers/poll-until.js';
import {startSvmtop} from '../helpers/pty.js';
import {useTempDirs} from '../helpers/temp-dirs.js';
import {QmpTestClient} from './qmp-client.js';

const temp = useTempDirs('svmtop-cli-qmp-');

describe('svmtop --headless --qmp', () => {
  test('runs in real time, answers QMP, and ends on SIGTERM with its summary and no sockets left', async () => {
    const dir = join(temp.root(), 'qmp');
    const child = spawn(process.execPath, [CLI, '--headless', '--qmp', dir, '--duration', '10m'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const socket = join(dir, 'web-1.qmp');
    await pollUntil(
      () => existsSync(socket),
      20_000,
      () => `no ${socket} after 20 s`,
    );
    const client = await QmpTestClient.negotiated(socket);
    expect((await client.execute('query-name')).json).toEqual({return: {name: 'web-1'}});
    await client.execute('stop');
    await client.event((event) => event.json.event === 'STOP');
    // A script reads the lines as they come, not at the end of the run.
    await pollUntil(
      () => stdout.includes('"origin":"qmp#1"'),
      2_000,
      () => `no line from qmp#1 on stdout after 2 s:\n${stdout.slice(-500)}`,
    );
    client.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(last.type).toBe('summary');
    expect(last.t as number).toBeLessThan(60);
    expect(lines).toContainEqual(
      expect.objectContaining({type: 'event', vm: 'web-1', origin: 'qmp#1', message: 'pause: ok'}),
    );
    expect(existsSync(socket)).toBe(false);
  });

  test('bad --qmp directories and --speed without --qmp are bad input (exit 2, one line)', () => {
    const root = temp.root();
    const speed = runCli(['--headless', '--speed', '2', '--duration', '1s']);
    expect(speed.status).toBe(2);
    expect(speed.stderr).toBe(
      'svmtop: --speed needs the dashboard or --headless --qmp (plain headless runs as fast as it can)\n',
    );
    const notDir = runCli(['--headless', '--qmp', CLI, '--duration', '1s']);
    expect(notDir.status).toBe(2);
    expect(notDir.stderr).toBe(`svmtop: --qmp ${CLI}: not a directory\n`);
    expect(notDir.stdout).toBe('');
    const tooLong = join(root, 'd'.repeat(120));
    const long = runCli(['--headless', '--qmp', tooLong, '--duration', '1s']);
    expect(long.status).toBe(2);
    const path = join(tooLong, 'bounce-test.qmp');
    expect(long.stderr).toBe(
      `svmtop: --qmp ${tooLong}: UNIX socket path '${path}' is too long (${Buffer.byteLength(path)} bytes; at most 107)\n`,
    );
    expect(long.stdout).toBe('');
    expect(existsSync(tooLong)).toBe(false);
  });
});

describe('svmtop --headless --qmp: the directory is checked once, by QmpServer.start', () => {
  test('a refused directory prints nothing on stdout even when the world starts with over 64 KiB of events', () => {
    const root = temp.root();
    const guests = Array.from({length: 600}, (_, index) => `  - {name: g${index}, host: h, memory: 256MiB}`);
    const world = join(root, 'big.yaml');
    writeFileSync(world, `hosts:\n  - {name: h, memory: 200GiB}\nguests:\n${guests.join('\n')}\n`);
    const tooLong = join(root, 'd'.repeat(120));
    const result = runCli(['--headless', '--config', world, '--qmp', tooLong, '--duration', '1s']);
    expect(result.stderr).toMatch(
      /^svmtop: --qmp .*: UNIX socket path '.*' is too long \(\d+ bytes; at most 107\)\n$/,
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });
});

describe('svmtop --qmp (the dashboard)', () => {
  test('a directory whose socket paths are too long: one line, exit 2, before the screen', async () => {
    const root = temp.root();
    const tooLong = join(root, 'd'.repeat(120));
    const session = startSvmtop(['--qmp', tooLong]);
    expect((await session.exited).exitCode).toBe(2);
    expect(session.raw()).toContain(`svmtop: --qmp ${tooLong}: UNIX socket path '`);
    expect(session.raw()).not.toContain('web-1');
  });
});

describe('--qmp on the command line', () => {
  const parse = (...argv: string[]) => parseArgs(argv, import.meta);

  test('takes a directory for the dashboard and for headless, where --speed then applies', () => {
    expect(parse('--qmp', 'q')).toMatchObject({mode: 'dashboard', qmpDir: 'q'});
    expect(parse('--headless', '--qmp', 'q', '--speed', '2')).toMatchObject({
      mode: 'headless',
      qmpDir: 'q',
      speed: 2,
    });
    expect(parse('--headless')).toMatchObject({mode: 'headless', qmpDir: undefined, speed: undefined});
  });

  test('refuses it twice, without a value, and --refresh with headless', () => {
    expect(parse('--headless', '--qmp', 'a', '--qmp=b')).toEqual({
      mode: 'error',
      message: '--qmp was given more than once; give it once',
    });
    expect(parse('--headless', '--qmp')).toEqual({mode: 'error', message: '--qmp needs a value'});
    expect(parse('--headless', '--qmp', 'q', '--refresh', '1s')).toEqual({
      mode: 'error',
      message: '--refresh is for the dashboard, not --headless',
    });
  });
});
