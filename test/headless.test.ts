import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svmtop-headless-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('svmtop --headless', () => {
  const first = runCli(['--headless', '--duration', '10s', '--seed', '1']);

  it('prints only JSON lines: events, snapshots every interval, and a summary last', () => {
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    const lines = first.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; t: number});
    expect(new Set(lines.map((line) => line.type))).toEqual(new Set(['event', 'snapshot', 'summary']));
    expect(lines.filter((line) => line.type === 'snapshot').map((line) => line.t)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(lines.at(-1)).toMatchObject({type: 'summary', t: 10, seed: 1, expectations: []});
    const event = lines.find((line) => line.type === 'event');
    expect(Object.keys(event!)).toEqual(['type', 't', 'vm', 'kind', 'severity', 'message']);
  });

  it('is byte for byte identical for the same seed and inputs', () => {
    expect(runCli(['--headless', '--duration', '10s', '--seed', '1']).stdout).toBe(first.stdout);
  });

  it('differs for another seed', () => {
    expect(runCli(['--headless', '--duration', '10s', '--seed', '2']).stdout).not.toBe(first.stdout);
  });

  it('names the §5 snapshot fields', () => {
    const summary = JSON.parse(first.stdout.trimEnd().split('\n').at(-1)!) as {
      hosts: Record<string, unknown>[];
      vms: Record<string, unknown>[];
    };
    expect(Object.keys(summary.hosts[0]!)).toEqual([
      'name',
      'stack',
      'ultravisor',
      'secureMigration',
      'memory',
    ]);
    const vm = summary.vms[0]!;
    for (const key of [
      'name',
      'host',
      'state',
      'vcpus',
      'memoryBytes',
      'dmaPolicy',
      'security',
      'devices',
      'swiotlb',
      'balloon',
      'migration',
    ])
      expect(vm).toHaveProperty(key);
    expect(Object.keys(vm.security as object)).toEqual(
      expect.arrayContaining(['state', 'phase', 'progress', 'declared', 'confidentialGuestSupport']),
    );
    expect((vm.devices as Record<string, unknown>[])[0]).toHaveProperty('accessPlatformForced');
  });

  it('exits 1 when an expectation fails, and says which', () => {
    const scenario = file(
      'fail.yaml',
      'duration: 5s\nexpect:\n  - {vm: web-1, path: state, equals: halted}\n',
    );
    const result = runCli(['--headless', '--scenario', scenario]);
    expect(result.status).toBe(1);
    const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as {
      expectations: Array<{ok: boolean; actual: unknown}>;
    };
    expect(summary.expectations).toEqual([
      expect.objectContaining({ok: false, path: 'state', actual: 'booting'}),
    ]);
  });

  it('names each failed expectation on stderr, one line each; stdout stays JSON lines', () => {
    const scenario = file(
      'fails.yaml',
      [
        'duration: 5s',
        'expect:',
        '  - {vm: web-1, path: state, equals: halted}',
        '  - {vm: web-1, path: state, equals: booting}',
        '  - {vm: rfc-1, event: "reclaimed 0 B"}',
        '  - {vm: web-1, path: migration.status, equals: active}',
        '',
      ].join('\n'),
    );
    const result = runCli(['--headless', '--scenario', scenario]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        'svmtop: expectation failed: vm web-1: state: expected equals "halted", saw "booting"',
        'svmtop: expectation failed: vm rfc-1: expected an event containing "reclaimed 0 B", saw none',
        // No migration: the field is there and null, so this is the world, not a misspelling.
        'svmtop: expectation failed: vm web-1: migration.status: expected equals "active", saw nothing there',
        '',
      ].join('\n'),
    );
    for (const line of result.stdout.trimEnd().split('\n'))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('exits 2 for a path that names no field of the snapshot, naming it and the nearest names', () => {
    const scenario = file(
      'misspelt.yaml',
      [
        'duration: 5s',
        'expect:',
        '  - {vm: web-1, path: state, equals: halted}',
        '  - {vm: web-1, path: securty.state, equals: secure}',
        '  - {vm: web-1, path: security.stat, equals: secure}',
        '  - {host: alpha, path: nosuch, atLeast: 1, atMost: 2}',
        '  - {vm: web-1, path: state.kind, equals: running}',
        '',
      ].join('\n'),
    );
    const result = runCli(['--headless', '--scenario', scenario]);
    expect(result.status).toBe(2);
    // Told at load now (expectation-paths-at-load.test.ts): before, after the run, with expect[0]'s failure first.
    expect(result.stderr).toBe(
      [
        `svmtop: ${scenario}: expect[1].path: securty.state: a VM snapshot has no field "securty" (nearest: security)`,
        `svmtop: ${scenario}: expect[2].path: security.stat: security has no field "stat" (nearest: state)`,
        `svmtop: ${scenario}: expect[3].path: nosuch: a host snapshot has no field "nosuch" (its fields: name, stack, ultravisor, secureMigration, memory)`,
        `svmtop: ${scenario}: expect[4].path: state.kind: state is a string, with no fields`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe('');
  });

  it('runs scenario steps at their times and passes their expectations', () => {
    const scenario = file(
      'ok.yaml',
      'duration: 8s\nseed: 4\nsteps:\n  - {at: 3s, do: pause, vm: churn-1}\nexpect:\n  - {vm: churn-1, path: state, equals: paused}\n  - {vm: churn-1, event: paused}\n',
    );
    const result = runCli(['--headless', '--scenario', scenario]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      '"t":3,"vm":"churn-1","kind":"state","severity":"info","message":"paused"',
    );
    expect(result.stdout).toContain('"seed":4');
  });
});

describe('a migration after migrate-set-parameters (QA item 3)', () => {
  it('never shows a threshold from the old downtime-limit beside the new limit and verdict', () => {
    const scenario = file(
      'downtime.yaml',
      'duration: 31s\nseed: 7\nsteps:\n  - {at: 5s, do: migrate, vm: churn-1, to: beta}\n  - {at: 30s, do: migrate-set-parameters, vm: churn-1, downtimeLimitMs: 9700}\n',
    );
    const result = runCli(['--headless', '--scenario', scenario, '--interval', '100ms']);
    expect(result.status).toBe(0);
    type Migration = {
      thresholdBytes: number;
      parameters: {downtimeLimitMs: number};
      convergence: {code: string; bandwidthBytesPerSecond: number} | null;
    };
    const seen = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; vms?: {name: string; migration: Migration | null}[]})
      .flatMap((line) => line.vms?.find((vm) => vm.name === 'churn-1')?.migration ?? [])
      .filter((migration) => migration.convergence && migration.convergence.code !== 'measuring');
    expect(seen.some((migration) => migration.parameters.downtimeLimitMs === 9700)).toBe(true);
    for (const {thresholdBytes, parameters, convergence} of seen)
      expect(
        thresholdBytes / ((convergence!.bandwidthBytesPerSecond / 1000) * parameters.downtimeLimitMs),
      ).toBeCloseTo(1, 6);
  });
});

describe('bad input exits 2 with one clear line', () => {
  it.each([
    [['--headless', '--bogus'], 'svmtop: unknown flag --bogus (see svmtop --help)\n'],
    [['--headless', '-x'], 'svmtop: unknown flag -x (see svmtop --help)\n'],
    [['-qz'], 'svmtop: unknown flag -qz (see svmtop --help)\n'],
    [
      ['--headless', '--duration', '5parsecs'],
      'svmtop: --duration: expected a duration like 60s, 500ms or 2m, got "5parsecs"\n',
    ],
    [
      ['--headless', '--seed', 'x'],
      'svmtop: --seed: expected a whole number from 0 to 4294967295, got "x"\n',
    ],
    [['--headless', '--config', '/nope.yaml'], 'svmtop: /nope.yaml: cannot read file (no such file)\n'],
    [['--duration', '5s'], 'svmtop: --duration needs --headless\n'],
    [['frobnicate'], 'svmtop: unknown command "frobnicate" (see svmtop --help)\n'],
    [
      ['--headless', '--duration', '1s', '--duration', '2s'],
      'svmtop: --duration was given more than once; give it once\n',
    ],
    [['--headless', '--duration', '-1s'], 'svmtop: --duration: a duration cannot be negative, got "-1s"\n'],
    [
      ['--headless', '--interval', '1us'],
      'svmtop: --interval: expected at least 10 ms between snapshots, got "1us"\n',
    ],
  ])('%j', (args, stderr) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toBe('');
  });

  it('an invalid config names file, path and rule', () => {
    const config = file(
      'bad.yaml',
      'hosts:\n  - {name: h, memory: 1GiB}\nguests:\n  - {name: g, host: h, memory: big}\n',
    );
    const result = runCli(['--headless', '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `svmtop: ${config}: guests[0].memory: expected a size like "4GiB", got "big"\n`,
    );
  });

  it('a scenario with an unknown command or VM', () => {
    const unknownCommand = file('c.yaml', 'steps:\n  - {at: 1s, do: teleport, vm: web-1}\n');
    expect(runCli(['--headless', '--scenario', unknownCommand]).stderr).toMatch(
      /steps\[0\]\.do: expected one of pause, resume, .*, got "teleport"\n$/,
    );
    const unknownVm = file('v.yaml', 'steps:\n  - {at: 1s, do: reboot, vm: nobody}\n');
    const result = runCli(['--headless', '--scenario', unknownVm]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/steps\[0\]\.vm: unknown guest "nobody"/);
  });

  it('the dashboard without a terminal suggests --headless', () => {
    const result = runCli([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'svmtop: the dashboard needs a terminal; for scripts use --headless (see svmtop --help)\n',
    );
  });

  it('--help and --version work', () => {
    const help = runCli(['--help']).stdout;
    expect(help).toContain('--headless');
    // QA item 6c: every exit code headless uses, 74 (EX_IOERR) for an output failure too.
    expect(help).toMatch(/Exit codes\n.*0 ok .*1 a scenario expectation failed .*2 bad input.*\n.*74 /);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('-h is --help; -v and -V are --version (htop: -h, -V; many tools: -v)', () => {
    const help = runCli(['--help']);
    expect(runCli(['-h'])).toEqual(help);
    const version = runCli(['--version']);
    expect(runCli(['-v'])).toEqual(version);
    expect(runCli(['-V'])).toEqual(version);
    expect(runCli(['-h']).status).toBe(0);
  });
});
