import {describe, expect, it} from 'vitest';
import {worldError} from '../helpers/world.js';

const HOST = 'hosts:\n  - {name: h1, memory: 64GiB}\n';
const guest = (fields: string) => `${HOST}guests:\n  - {name: g, host: h1, memory: 1GiB, ${fields}}\n`;

// Tester F5: the messages misstated the rule they enforce.
describe('config errors state the rule they enforce (tester F5)', () => {
  const NAME_RULE =
    'expected a name of ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (at most 31 characters)';
  it.each([['"-leading"'], ['"ünï"']])(
    'the name %s is told it must start with an ASCII letter or digit',
    (name) => {
      expect(worldError(`hosts:\n  - {name: ${name}, memory: 64GiB}\n`)).toBe(
        `hosts[0].name: ${NAME_RULE}, got ${name}`,
      );
    },
  );

  it.each([
    ['memory: 1PiB', 'guests[0].memory', '1PiB', 'PiB'],
    ['devices: [{type: blk, disk: 1PiB}]', 'guests[0].devices[0].disk', '1PiB', 'PiB'],
    ['workload: {profile: web, dirtyRate: 1EiB}', 'guests[0].workload.dirtyRate', '1EiB', 'EiB'],
    ['devices: [{type: blk, disk: 4XB}]', 'guests[0].devices[0].disk', '4XB', 'XB'],
  ])('%s is told its unit is not one svmtop reads, and the bound', (fields, path, written, unit) => {
    const text = fields.startsWith('memory')
      ? `${HOST}guests:\n  - {name: g, host: h1, ${fields}}\n`
      : guest(fields);
    expect(worldError(text)).toBe(
      `${path}: expected a size like "4GiB": svmtop reads B, K/KB/KiB, M/MB/MiB, G/GB/GiB and T/TB/TiB (binary, any case), below 8192TiB (2^53 bytes, the most svmtop counts exactly), not "${unit}", got "${written}"`,
    );
  });
});
