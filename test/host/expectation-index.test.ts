import {describe, expect, it} from 'vitest';
import {
  checkExpectations,
  expectationPathProblem,
  expectationPathProblems,
} from '../../src/host/expectations.js';
import type {Expectation} from '../../src/host/config/scenario-schema.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

const world = startWorld(defaultConfig(), 1, {seconds: 3, unchecked: true});
const snapshot = world.getSnapshot();
const ELEMENTS =
  'its elements: 0 (net, virtio0), 1 (blk, virtio1), 2 (console, virtio2), 3 (rng, virtio3), 4 (balloon, virtio4)';

describe("an index into a VM's devices that names none of them is bad input, as a misspelt field is", () => {
  it.each([
    ['devices[bkl].failed', 'bkl'],
    ['devices[99].failed', '99'],
    ['devices[virtio9]', 'virtio9'],
  ])('%s: exit 2 with the elements there are (before: a failed expectation, exit 1)', (path, index) => {
    expect(expectationPathProblem({vm: 'web-1', path, equals: 0}, snapshot)).toBe(
      `${path}: devices has no element [${index}] (${ELEMENTS})`,
    );
  });

  it('an index that names one is no problem, by position, type or id', () => {
    const paths = ['devices[1].type', 'devices[blk].type', 'devices[virtio1].type'];
    const expectations: Expectation[] = paths.map((path) => ({vm: 'web-1', path, equals: 'blk'}));
    expect(expectationPathProblems(expectations, snapshot)).toEqual([]);
    expect(checkExpectations(expectations, snapshot, []).map((result) => result.ok)).toEqual([
      true,
      true,
      true,
    ]);
  });

  // A list that changes during a run: what is missing now may be there at another time.
  it('an element missing from a list that changes with the run is a failed expectation, not bad input', () => {
    const expectations: Expectation[] = [
      {vm: 'web-1', path: 'devices[0].featuresNegotiated[7]', equals: 'ACCESS_PLATFORM'},
    ];
    expect(expectationPathProblems(expectations, snapshot)).toEqual([]);
    expect(checkExpectations(expectations, snapshot, [])[0]).toMatchObject({ok: false, actual: null});
  });
});
