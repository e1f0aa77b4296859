import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE, loadWorldFile, parseWorldText} from '../../src/host/config/load-world.js';
import {defaultConfig} from '../helpers/world.js';

const HOST = `hosts:\n  - {name: h1, memory: 64GiB}\n`;

function errorOf(text: string): string {
  const result = parseWorldText('w.yaml', text);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('world config', () => {
  it('loads the default world, which covers every policy, declaration, host kind and host stack', () => {
    const config = defaultConfig();
    expect(config.hosts.length).toBeGreaterThanOrEqual(4);
    expect(config.guests.length).toBeGreaterThanOrEqual(5);
    expect(new Set(config.guests.map((guest) => guest.dmaPolicy))).toEqual(
      new Set(['access-platform-gated', 'force-dma-api', 'restricted']),
    );
    expect(new Set(config.hosts.map((host) => host.stack))).toEqual(new Set(['mainline', '2018']));
    expect(new Set(config.guests.map((guest) => guest.launchSecurity))).toEqual(
      new Set(['required', 'allowed', 'none']),
    );
    expect(config.guests.some((guest) => guest.svm) && config.guests.some((guest) => !guest.svm)).toBe(true);
    const devices = config.guests.flatMap((guest) => guest.devices);
    expect(devices.some((device) => device.iommu) && devices.some((device) => !device.iommu)).toBe(true);
    expect(
      config.hosts.filter((host) => host.ultravisor && host.secureMigration).length,
    ).toBeGreaterThanOrEqual(2);
    expect(config.hosts.some((host) => host.ultravisor && !host.secureMigration)).toBe(true);
    expect(config.hosts.some((host) => !host.ultravisor)).toBe(true);
  });

  it('names file, path and rule for a bad size', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: lots}`)).toBe(
      'w.yaml: guests[0].memory: expected a size like "4GiB", got "lots"',
    );
  });

  it('rejects unknown keys, naming them', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, colour: red}`)).toBe(
      'w.yaml: guests[0].colour: unknown key "colour"',
    );
  });

  it('keeps an error on one line when a key holds a line break (fuzz: "#" turned "?" at byte 0)', () => {
    expect(errorOf(`${HOST}? |\n  two\n  lines\n: 1\n`)).toBe(
      'w.yaml: two\\nlines\\n: unknown key "two\\nlines\\n"',
    );
    // A key with a backslash and an n is told apart from one with a line break.
    expect(errorOf(`${HOST}'a\\nb': 1\n`)).toBe('w.yaml: a\\\\nb: unknown key "a\\\\nb"');
    const missing = loadWorldFile('/nonexistent/w\n.yaml');
    expect(missing.ok ? '' : missing.error).toMatch(/^\/nonexistent\/w\\n\.yaml: [^\n]+$/);
    const defaultText = readFileSync(DEFAULT_WORLD_FILE, 'utf8');
    expect(errorOf(`?${defaultText.slice(1)}`)).not.toContain('\n');
  });

  it('rejects a value outside a list, listing the allowed ones', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, dmaPolicy: yolo}`)).toBe(
      'w.yaml: guests[0].dmaPolicy: expected one of access-platform-gated, force-dma-api, restricted (legacy is read as access-platform-gated), got "yolo"',
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(errorOf('hosts: [\n  {name: h1')).toMatch(/^w\.yaml: line \d+, column \d+: /);
  });

  it('rejects a missing required field', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1}`)).toMatch(/^w\.yaml: guests\[0\]\.memory: /);
  });

  it('rejects references to unknown hosts and keys', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: nowhere, memory: 1GiB}`)).toBe(
      'w.yaml: guests[0].host: unknown host "nowhere"',
    );
    expect(
      errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, ticket: {key: k, signature: AAAA}}`),
    ).toBe('w.yaml: guests[0].ticket.key: unknown key "k" (define it under keys)');
  });

  it('refuses a key named like an object property (toString, constructor) that keys does not define', () => {
    const uv = `hosts:\n  - {name: h1, memory: 64GiB, ultravisor: {secureMemory: 8GiB, trustedKeys: [toString]}}\n`;
    expect(errorOf(uv)).toBe(
      'w.yaml: hosts[0].ultravisor.trustedKeys[0]: unknown key "toString" (define it under keys)',
    );
    expect(
      errorOf(
        `${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, ticket: {key: constructor, signature: AAAA}}`,
      ),
    ).toBe('w.yaml: guests[0].ticket.key: unknown key "constructor" (define it under keys)');
  });

  it('rejects duplicate names and duplicate devices', () => {
    expect(
      errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB}\n  - {name: g, host: h1, memory: 1GiB}`),
    ).toBe('w.yaml: guests[1].name: guest "g" is defined twice');
    expect(
      errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, devices: [{type: net}, {type: net}]}`),
    ).toMatch(/devices\[1\]\.type: a second net device/);
  });

  it('rejects guests that do not fit their host or their own memory', () => {
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 128GiB}`)).toMatch(
      /^w\.yaml: hosts\[0\]\.memory: guests on h1 need 128GiB/,
    );
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 256MiB, swiotlb: "131072"}`)).toMatch(
      /guests\[0\]\.swiotlb: resident .* exceed memory/,
    );
  });

  it('reads swiotlb= in the kernel’s syntax', () => {
    const result = parseWorldText(
      'w.yaml',
      `${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, swiotlb: "4096,2,force"}`,
    );
    expect(result.ok && result.value.guests[0]!.swiotlb).toEqual({slabs: 4096, areas: 2, force: true});
    expect(errorOf(`${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, swiotlb: "lots"}`)).toMatch(
      /swiotlb: expected swiotlb=<nslabs>/,
    );
  });

  it('reports a missing file without a stack trace', () => {
    const result = loadWorldFile('/nonexistent/world.yaml');
    expect(result).toEqual({ok: false, error: '/nonexistent/world.yaml: cannot read file (no such file)'});
  });

  it('reports an empty file', () => {
    expect(errorOf('')).toBe('w.yaml: (top level): the file is empty');
  });
});

describe('scenario files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svmtop-scenario-'));
  const world = defaultConfig();
  const load = (text: string) => {
    const file = join(dir, 's.yaml');
    writeFileSync(file, text);
    const result = loadScenarioFile(file, world);
    return result.ok ? 'ok' : result.error.replace(`${file}: `, '');
  };

  it('accepts a valid scenario', () => {
    expect(
      load(
        'duration: 30s\nsteps:\n  - {at: 5s, do: reboot, vm: web-1}\nexpect:\n  - {vm: web-1, path: state, equals: running}',
      ),
    ).toBe('ok');
  });

  it('names an unknown command and lists the known ones', () => {
    expect(load('steps:\n  - {at: 5s, do: explode, vm: web-1}')).toMatch(
      /^steps\[0\]\.do: expected one of pause, resume, reboot, .*, fault, got "explode"$/,
    );
  });

  it('names an unknown VM', () => {
    expect(load('steps:\n  - {at: 5s, do: pause, vm: ghost}')).toMatch(
      /^steps\[0\]\.vm: unknown guest "ghost"/,
    );
  });

  it('names an unknown VM in expect as in steps, listing the guests (one helper)', () => {
    const guests = world.guests.map((guest) => guest.name).join(', ');
    expect(load('expect:\n  - {vm: nosuch, path: state, equals: running}')).toBe(
      `expect[0].vm: unknown guest "nosuch" (the world has ${guests})`,
    );
    expect(load('steps:\n  - {at: 5s, do: pause, vm: nosuch}')).toBe(
      `steps[0].vm: unknown guest "nosuch" (the world has ${guests})`,
    );
  });

  it('names a bad duration', () => {
    expect(load('steps:\n  - {at: soon, do: pause, vm: web-1}')).toMatch(
      /^steps\[0\]\.at: expected a duration/,
    );
  });

  it('rejects an expectation without a check', () => {
    expect(load('expect:\n  - {vm: web-1, path: state}')).toMatch(
      /^expect\[0\]: a path needs equals, atLeast or atMost/,
    );
  });

  it('still knows the default world file', () => {
    expect(DEFAULT_WORLD_FILE.endsWith('config/default.yaml')).toBe(true);
  });
});
