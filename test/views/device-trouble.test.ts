import {describe, expect, it} from 'vitest';
import type {VmSnapshot} from '../../src/host/snapshot-types.js';
import {deviceTrouble} from '../../src/views/device-trouble.js';
import {createTheme} from '../../src/views/theme.js';
import {orderVms} from '../../src/views/vm-order.js';
import {VM_COLUMNS} from '../../src/views/vm-columns.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

const devicesColumn = VM_COLUMNS.find((column) => column.key === 'devices')!;

/** A VM whose devices have these statuses (the rest of the snapshot as it is). */
function withStatuses(base: VmSnapshot, name: string, statuses: readonly string[]): VmSnapshot {
  const devices = statuses.map((status, index) => ({...base.devices[index % base.devices.length]!, status}));
  return {...base, name, devices} as VmSnapshot;
}

describe('one count of device trouble: the DEVICES column, its sort and the status line agree', () => {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(12_000_000);
  const base = vm(world, 'web-1');
  const vms = [
    withStatuses(base, 'a-refused2', ['refused', 'refused', 'ok']),
    withStatuses(base, 'b-broken1', ['needs-reset', 'ok']),
    withStatuses(base, 'c-ok', ['ok', 'ok']),
    withStatuses(base, 'd-broken1-refused1', ['needs-reset', 'refused']),
  ];

  it('counts broken (needs reset) and refused, and nothing else', () => {
    expect(vms.map(deviceTrouble)).toEqual([
      {broken: 0, refused: 2},
      {broken: 1, refused: 0},
      {broken: 0, refused: 0},
      {broken: 1, refused: 1},
    ]);
  });

  it('the column says what the sort ranks: ok, refused, then broken (ties by refused)', () => {
    const sorted = orderVms(vms, '', 'devices', false);
    expect(sorted.map((entry) => devicesColumn.cell(entry, createTheme(false)).text)).toEqual([
      'ok',
      '2 refused',
      '1 broken',
      '1 broken',
    ]);
    expect(sorted.map((entry) => entry.name)).toEqual([
      'c-ok',
      'a-refused2',
      'b-broken1',
      'd-broken1-refused1',
    ]);
  });
});
