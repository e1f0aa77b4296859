import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {defaultConfig, worldError} from '../helpers/world.js';

const HOST = 'hosts:\n  - {name: h1, memory: 64GiB}\n';
const guest = (fields: string) => `${HOST}guests:\n  - {name: g, host: h1, ${fields}}\n`;

const dir = mkdtempSync(join(tmpdir(), 'svmtop-wording-'));
function scenarioError(text: string): string {
  const file = join(dir, 's.yaml');
  writeFileSync(file, text);
  const result = loadScenarioFile(file, defaultConfig());
  return result.ok ? 'ok' : result.error.replace(`${file}: `, '');
}

/** Every kind of issue zod raises, in svmtop's words: the path, the rule and the value as written. */
describe('config errors speak svmtop, not zod (tester items: Invalid input, expected int, 2^64 rounded)', () => {
  it.each([
    // a word outside a list, alone and as a union's branch
    [
      guest('memory: 1GiB, workload: yolo'),
      'guests[0].workload: expected idle, web, db, stream, churn or a map (key: value), got "yolo"',
    ],
    [
      guest('memory: 1GiB, workload: {profile: yolo}'),
      'guests[0].workload.profile: expected one of idle, web, db, stream, churn, got "yolo"',
    ],
    [
      guest('memory: 1GiB, launchSecurity: x'),
      'guests[0].launchSecurity: expected one of required, allowed, none, got "x"',
    ],
    [guest('memory: 1GiB, svm: maybe'), 'guests[0].svm: expected true, false, on or off, got "maybe"'],
    [
      guest('memory: 1GiB, dmaPolicy: 3'),
      'guests[0].dmaPolicy: expected one of access-platform-gated, force-dma-api, restricted (legacy is read as access-platform-gated), got 3',
    ],
    [
      `hosts:\n  - {name: h1, memory: 64GiB, stack: true}`,
      'hosts[0].stack: expected one of mainline, 2018, got true',
    ],
    // whole numbers and their bounds, the value quoted as written
    [guest('memory: 1GiB, vcpus: 2.5'), 'guests[0].vcpus: expected a whole number, got 2.5'],
    [
      guest('memory: 1GiB, vcpus: 18446744073709551616'),
      'guests[0].vcpus: expected at most 256, got 18446744073709551616',
    ],
    [guest('memory: 1GiB, vcpus: 0x0'), 'guests[0].vcpus: expected at least 1, got 0x0'],
    [guest('memory: 1GiB, vcpus: .nan'), 'guests[0].vcpus: expected a number, got .nan'],
    [guest('memory: 1GiB, swiotlb: {areas: -1}'), 'guests[0].swiotlb.areas: expected at least 0, got -1'],
    [
      guest('memory: 1GiB, devices: [{type: net, queueSize: 2.5}]'),
      'guests[0].devices[0].queueSize: expected a whole number, got 2.5',
    ],
    // wrong types
    [guest('memory: 1GiB, vcpus: "2"'), 'guests[0].vcpus: expected a number, got "2"'],
    [guest('memory: 1GiB, devices: {type: net}'), 'guests[0].devices: expected a list, got a map'],
    [guest('memory: 1GiB, devices: [net]'), 'guests[0].devices[0]: expected a map (key: value), got "net"'],
    [`${HOST}guests: 5`, 'guests: expected a list, got 5'],
    ['[1]', '(top level): expected a map (key: value), got a list'],
    [
      `hosts:\n  - {name: h1, memory: 64GiB, secureMigration: yes}`,
      'hosts[0].secureMigration: expected true or false, got "yes"',
    ],
    // missing keys
    [guest('memory: 1GiB, ticket: {key: k}'), 'guests[0].ticket.signature: missing, expected a string'],
    [
      `hosts:\n  - {name: h1, memory: 64GiB, ultravisor: {}}`,
      'hosts[0].ultravisor.secureMemory: missing, expected a size like "4GiB"',
    ],
    [
      `hosts:\n  - {memory: 64GiB}`,
      'hosts[0].name: missing, expected a name of ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (at most 31 characters)',
    ],
    // lengths of lists and strings
    [
      `${HOST}links: {pairs: [{hosts: [h1], bandwidth: 1G}]}`,
      'links.pairs[0].hosts: expected at least 2 items, got 1',
    ],
    [
      guest('memory: 1GiB, image: {kernel: ""}'),
      'guests[0].image.kernel: expected a non-empty string, got ""',
    ],
    // record keys, unknown keys, sizes
    [
      `${HOST}keys: {"bad key": abc}`,
      'keys.bad key: expected a name of ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (at most 31 characters), got "bad key"',
    ],
    [guest('memory: 1GiB, swiotlb: {bogus: 1}'), 'guests[0].swiotlb.bogus: unknown key "bogus"'],
    [guest('memory: true'), 'guests[0].memory: expected a size like "4GiB", got true'],
    [
      guest('memory: 18446744073709551616'),
      'guests[0].memory: expected a size below 8192TiB (2^53 bytes, the most svmtop counts exactly), got 18446744073709551616',
    ],
    [
      guest('memory: 9999TiB'),
      'guests[0].memory: expected a size below 8192TiB (2^53 bytes, the most svmtop counts exactly), got "9999TiB"',
    ],
    [
      guest('memory: 1.5'),
      'guests[0].memory: expected a size like "4GiB" or a whole number of bytes, got 1.5',
    ],
  ])('%s', (text, error) => {
    expect(worldError(text)).toBe(error);
  });

  it.each([
    ['seed: 18446744073709551616', 'seed: expected at most 4294967295, got 18446744073709551616'],
    ['seed: 2.5', 'seed: expected a whole number, got 2.5'],
    ['steps: [5]', 'steps[0]: expected a step like {at: 5s, do: pause, vm: web-1}, got 5'],
    [
      'steps: [{at: 1s}]',
      'steps[0].do: missing, expected one of pause, resume, reboot, secure, unsecure, balloon, policy, workload, migrate, migrate-cancel, migrate-set-parameters, migrate-restart, fault',
    ],
    [
      'steps: [{do: migrate, at: 1s, vm: web-1, to: beta, downtimeLimitMs: 2.5}]',
      'steps[0].downtimeLimitMs: expected a whole number, got 2.5',
    ],
    [
      'steps: [{do: balloon, at: 1s, vm: web-1, target: 1G, force: maybe}]',
      'steps[0].force: expected true or false, got "maybe"',
    ],
    [
      'steps: [{do: workload, at: 1s, vm: web-1, workload: yolo}]',
      'steps[0].workload: expected one of idle, web, db, stream, churn, got "yolo"',
    ],
    [
      'steps: [{do: fault, at: 1s, kind: link-down, hosts: [a]}]',
      'steps[0].hosts: expected at least 2 items, got 1',
    ],
    ['duration: true', 'duration: expected a duration like "30s" or "500ms", got true'],
    [
      'expect: [{vm: web-1, path: state, equals: [1]}]',
      'expect[0].equals: expected a string, a number, true, false or null, got a list',
    ],
    ['expect: [{event: ""}]', 'expect[0].event: expected a non-empty string, got ""'],
  ])('%s', (text, error) => {
    expect(scenarioError(text)).toBe(error);
  });

  it('quotes a long value by its start and its length', () => {
    expect(worldError(guest(`memory: 1GiB, launchSecurity: ${'x'.repeat(100)}`))).toBe(
      `guests[0].launchSecurity: expected one of required, allowed, none, got "${'x'.repeat(60)}"... (100 characters)`,
    );
  });

  it('bounds a huge number, key and path as it bounds a string (a one-million-digit vcpus was echoed whole)', () => {
    const nines = '9'.repeat(1_000_000);
    const error = worldError(guest(`memory: 1GiB, vcpus: ${nines}`));
    expect(error).toBe(`guests[0].vcpus: expected a number, got ${'9'.repeat(60)}... (1000000 characters)`);
    const key = 'k'.repeat(1000);
    expect(worldError(`${HOST}${key}: 1\n`)).toBe(
      `${'k'.repeat(60)}... (1000 characters): unknown key "${'k'.repeat(60)}"... (1000 characters)`,
    );
  });

  it.each([
    // A string is escaped once: JSON's quoting, not the line's escaping over it again.
    [`workload: "we\\"b\\nx"`, String.raw`got "we\"b\nx"`],
    [`workload: 'a\\b'`, String.raw`got "a\\b"`],
    [`workload: "a\\u007fb"`, String.raw`got "a\u007fb"`],
    [`workload: "a\\tb"`, String.raw`got "a\tb"`],
  ])('escapes %s once', (field, shown) => {
    expect(worldError(guest(`memory: 1GiB, ${field}`))).toBe(
      `guests[0].workload: expected idle, web, db, stream, churn or a map (key: value), ${shown}`,
    );
  });

  it('escapes a quote inside an unknown key', () => {
    expect(worldError(`${HOST}'a"b': 1\n`)).toBe(String.raw`a"b: unknown key "a\"b"`);
  });
});
