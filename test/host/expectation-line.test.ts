import {describe, expect, it} from 'vitest';
import {describeFailedExpectation, type ExpectationResult} from '../../src/host/expectations.js';

// The line a failed expectation prints on stderr (review of t-cli): a snapshot value can be a
// bigint (a QMP client set max-bandwidth to 2^64 - 1), and a scenario's text can hold characters
// that reorder or break a terminal line; the line must neither throw nor carry them raw.

const failed = (result: Partial<ExpectationResult>): ExpectationResult => ({
  vm: 'web-1',
  host: null,
  path: 'migration.parameters.maxBandwidthBytesPerSecond',
  event: null,
  expected: 'equals 1',
  actual: null,
  ok: false,
  ...result,
});

describe('a failed expectation as one stderr line', () => {
  it('writes a bigint it saw as its exact integer, rather than throwing', () => {
    expect(describeFailedExpectation(failed({actual: 18446744073709551615n}))).toBe(
      'vm web-1: migration.parameters.maxBandwidthBytesPerSecond: expected equals 1, saw 18446744073709551615',
    );
  });

  it('escapes DEL, C1, the line separators and the bidi controls, as config errors are', () => {
    const line = describeFailedExpectation(
      failed({path: 'state', expected: 'equals "a\u202eb"', actual: 'x\u009b2Jy\u2028z\u007f'}),
    );
    expect(line).toBe('vm web-1: state: expected equals "a\\u202eb", saw "x\\u009b2Jy\\u2028z\\u007f"');
  });

  it('escapes an event text the same way', () => {
    const line = describeFailedExpectation(failed({path: null, event: 'e\u2066', actual: 'm\u0085'}));
    expect(line).toBe('vm web-1: expected an event containing "e\\u2066", saw "m\\u0085"');
  });
});
