import {describe, expect, it} from 'vitest';
import {worldError} from '../helpers/world.js';

// Tester F2: a link of 0B/s loaded, and a migration over it answered "ok" and never moved a page (after
// 2 h: active, 0 transferred); QMP's max-bandwidth 0 is refused by the same rule.
describe('a link bandwidth asks the rule that refuses max-bandwidth 0 (tester F2)', () => {
  const HOSTS = 'hosts:\n  - {name: a, memory: 64GiB}\n  - {name: b, memory: 64GiB}\n';
  it.each([
    ['links: {defaultBandwidth: 0}', 'links.defaultBandwidth'],
    ['links: {pairs: [{hosts: [a, b], bandwidth: 0B}]}', 'links.pairs[0].bandwidth'],
  ])('%s is refused', (links, path) => {
    expect(worldError(`${HOSTS}${links}\n`)).toBe(
      `${path}: a link of 0B/s never moves a page: expected at least 1B/s`,
    );
  });

  it('1B/s, the least max-bandwidth QMP takes, loads as it does there', () => {
    expect(worldError(`${HOSTS}links: {defaultBandwidth: 1B}\n`)).toBe('ok');
  });
});
