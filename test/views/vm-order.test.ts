import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {naturalCompare, orderVms} from '../../src/views/vm-order.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// Names sort as htop and k9s users expect: the digits in them as numbers.

function snapshots(names: readonly string[], hosts: readonly string[] = []) {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(1_000_000);
  const template = dashboardViewOf(world).world.vms[0]!;
  return names.map((name, index) => ({...template, name, host: hosts[index] ?? template.host}));
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
