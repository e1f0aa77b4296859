import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import type {SecurityPhase, VmSnapshot} from '../../src/host/snapshot-types.js';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {naturalCompare, orderVms} from '../../src/views/vm-order.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// Names sort as htop and k9s users expect: the digits in them as numbers.

let template: VmSnapshot | undefined;

function snapshots(names: readonly string[], hosts: readonly string[] = []) {
  if (!template) {
    const world = startWorld(defaultConfig(), 1);
    world.advanceTo(1_000_000);
    template = dashboardViewOf(world).world.vms[0]!;
  }
  const vm = template;
  return names.map((name, index) => ({...vm, name, host: hosts[index] ?? vm.host}));
}

describe('the VM list sorts names naturally', () => {
  it('vm-2 before vm-10, ascending and descending', () => {
    const vms = snapshots(['vm-10', 'vm-3', 'vm-1', 'vm-11', 'vm-2', 'db-1']);
    const names = (descending: boolean) => orderVms(vms, '', 'name', descending).map((vm) => vm.name);
    expect(names(false)).toEqual(['db-1', 'vm-1', 'vm-2', 'vm-3', 'vm-10', 'vm-11']);
    expect(names(true)).toEqual(['vm-11', 'vm-10', 'vm-3', 'vm-2', 'vm-1', 'db-1']);
  });

  it('hosts too, and names break ties naturally', () => {
    const vms = snapshots(['b-10', 'b-9', 'a-1'], ['host-10', 'host-2', 'host-10']);
    expect(orderVms(vms, '', 'host', false).map((vm) => `${vm.host}/${vm.name}`)).toEqual([
      'host-2/b-9',
      'host-10/a-1',
      'host-10/b-10',
    ]);
  });

  it('a booting VM sorts and filters by the boot phase its STATE cell shows', () => {
    const [kernel, firmware, running] = snapshots(['a', 'b', 'c']);
    const booting = (vm: VmSnapshot, phase: SecurityPhase): VmSnapshot => ({
      ...vm,
      state: 'booting',
      security: {...vm.security, phase},
    });
    // As text: firmware, kernel, running (by the state behind them both booting VMs tie, a before b).
    const vms = [
      booting(kernel!, 'kernel'),
      booting(firmware!, 'firmware'),
      {...running!, state: 'running' as const},
    ];
    expect(orderVms(vms, '', 'state', false).map((vm) => vm.name)).toEqual(['b', 'a', 'c']);
    expect(orderVms(vms, 'kern', 'state', false).map((vm) => vm.name)).toEqual(['a']);
  });

  it('is a total order that does not depend on the locale', () => {
    expect(naturalCompare('a2', 'a10')).toBeLessThan(0);
    expect(naturalCompare('a10', 'a2')).toBeGreaterThan(0);
    expect(naturalCompare('a-02', 'a-2')).not.toBe(0);
    expect(naturalCompare('a-02', 'a-2')).toBe(-naturalCompare('a-2', 'a-02'));
    expect(naturalCompare('x', 'x')).toBe(0);
    // Case does not decide, unless nothing else does (then code units, not the locale).
    expect(naturalCompare('a', 'B')).toBeLessThan(0);
    expect(naturalCompare('B', 'b')).toBeLessThan(0);
    expect(naturalCompare('vm', 'vm-1')).toBeLessThan(0);
    expect(naturalCompare('99999999999999999999', '100000000000000000000')).toBeLessThan(0);
  });
});

// The order before names were split once per sort (decorate-sort-undecorate): a regex split of both
// names in every comparison. The split-once order must be the same on any names.
const REFERENCE_CHUNKS = /\d+|\D+/g;
function referenceNaturalCompare(a: string, b: string): number {
  const left = a.toLowerCase().match(REFERENCE_CHUNKS) ?? [];
  const right = b.toLowerCase().match(REFERENCE_CHUNKS) ?? [];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    const isNumbers = /^\d/.test(x) && /^\d/.test(y);
    const [p, q] = isNumbers ? [x.replace(/^0+/, ''), y.replace(/^0+/, '')] : [x, y];
    const order =
      isNumbers && p.length !== q.length ? (p.length < q.length ? -1 : 1) : p < q ? -1 : p > q ? 1 : 0;
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('names split once per sort order as before', () => {
  // Digits with leading zeros, case, separators: what natural order has to get right.
  const name = fc.string({unit: fc.constantFrom(...'aAbB0019-_.'.split('')), maxLength: 12});

  it('naturalCompare agrees with the per-comparison split on any two names', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(naturalCompare(a, b))).toBe(Math.sign(referenceNaturalCompare(a, b)));
      }),
      {numRuns: 2000},
    );
  });

  it('orderVms lists any names, and hosts, in the order the per-comparison split gave', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, {minLength: 1, maxLength: 20}),
        fc.array(name, {minLength: 20, maxLength: 20}),
        fc.boolean(),
        (names, hosts, isDescending) => {
          const vms = snapshots(names, hosts);
          const sign = isDescending ? -1 : 1;
          const byName = [...names].sort((a, b) => sign * referenceNaturalCompare(a, b));
          expect(orderVms(vms, '', 'name', isDescending).map((vm) => vm.name)).toEqual(byName);
          const byHost = vms
            .map((vm) => ({name: vm.name, host: vm.host}))
            .sort(
              (a, b) =>
                sign * (referenceNaturalCompare(a.host, b.host) || referenceNaturalCompare(a.name, b.name)),
            )
            .map((vm) => vm.name);
          expect(orderVms(vms, '', 'host', isDescending).map((vm) => vm.name)).toEqual(byHost);
        },
      ),
      {numRuns: 200},
    );
  });
});
