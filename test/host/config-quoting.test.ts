import {describe, expect, it} from 'vitest';
import {escapeBeyondJson, formatConfigError} from '../../src/host/config/format-issue.js';
import {checkWorldReferences} from '../../src/host/config/world-references.js';
import {defaultConfig} from '../helpers/world.js';

// A reviewer: the names quoted by the reference checks (`unknown host "…"`, `guest "…" is defined
// twice`) were neither escaped nor bounded, unlike every value zod's issues quote. A config built
// in code (tests, tools) reaches them without the name rule of the file's schema.

const long = `a"b\\c\n${'x'.repeat(200)}`;
const bounded = `"a\\"b\\\\c\\n${'x'.repeat(54)}"... (206 characters)`;

function messages(mutate: (config: ReturnType<typeof defaultConfig>) => void): string[] {
  const config = defaultConfig();
  mutate(config);
  return checkWorldReferences(config).map((issue) => formatConfigError('w.yaml', issue.path, issue.message));
}

describe('names in reference errors: one quoting, escaped once, bounded to 60 characters', () => {
  it('unknown host', () => {
    const lines = messages((config) => {
      (config.guests[0] as {host: string}).host = long;
    });
    expect(lines[0]).toBe(`w.yaml: guests[0].host: unknown host ${bounded}`);
  });

  it('a guest defined twice', () => {
    const lines = messages((config) => {
      config.guests.push({...config.guests[0]!, name: long});
      config.guests.push({...config.guests[0]!, name: long});
    });
    expect(lines).toContain(`w.yaml: guests[${9 + 1}].name: guest ${bounded} is defined twice`);
  });

  it('a host defined twice', () => {
    const lines = messages((config) => {
      config.hosts.push({...config.hosts[0]!, name: long});
      config.hosts.push({...config.hosts[0]!, name: long});
    });
    expect(lines).toContain(`w.yaml: hosts[6].name: host ${bounded} is defined twice`);
  });

  it('an unknown host at a link end', () => {
    const lines = messages((config) => {
      config.links.pairs.push({hosts: ['alpha', long], bandwidth: 1} as (typeof config.links.pairs)[number]);
    });
    expect(lines.some((line) => line.endsWith(`: unknown host ${bounded}`))).toBe(true);
  });
});

describe('escapeBeyondJson escapes as the error lines do', () => {
  it('DEL, C1, line separators and bidi controls as \\uXXXX; C0 and quotes left to JSON', () => {
    expect(escapeBeyondJson('a\u007fb\u0085c\u2028d\u202ee\u2066f\n"')).toBe(
      'a\\u007fb\\u0085c\\u2028d\\u202ee\\u2066f\n"',
    );
  });
});
