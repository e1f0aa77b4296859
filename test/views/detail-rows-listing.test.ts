import {expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {detailRoom} from '../../src/views/dashboard-layout.js';
import {initialDashboardState, type DashboardState} from '../../src/views/dashboard-state.js';
import {withDetailRowsSeen} from '../../src/views/detail-rows.js';
import {apply} from '../helpers/reducer.js';
import {configFromYaml, startWorld} from '../helpers/world.js';

// The panel's mark is kept while the same VMs with the same devices are listed, in any order,
// and dropped when a device is rebuilt as another type under the same VM name (a reload).

function state(devices: string): DashboardState {
  const guests = ['a', 'b', 'c']
    .map((name) => `  - {name: ${name}, host: alpha, vcpus: 1, memory: 1GiB, devices: [${devices}]}\n`)
    .join('');
  const view = dashboardViewOf(
    startWorld(configFromYaml(`hosts:\n  - {name: alpha, memory: 64GiB}\nguests:\n${guests}`)),
  );
  const fresh = initialDashboardState(view, {columns: 80, rows: 24}, {tab: 'devices'});
  return apply(fresh, {type: 'view', view}).state;
}

it('the same VMs listed in another order keep the mark', () => {
  const seen = state('{type: net}, {type: blk}');
  const reordered = {...seen, vms: [...seen.vms].reverse()};
  expect(withDetailRowsSeen(reordered, detailRoom(reordered))).toBe(reordered);
});

it('a device of another type under the same id drops the mark', () => {
  const seen = state('{type: net}, {type: blk}');
  const rebuilt = {...seen, vms: state('{type: net}, {type: rng}').vms};
  expect(rebuilt.vms.map((vm) => vm.devices.map((device) => device.id))).toEqual(
    seen.vms.map((vm) => vm.devices.map((device) => device.id)),
  );
  expect(withDetailRowsSeen(rebuilt, detailRoom(rebuilt))).not.toBe(rebuilt);
});

it('one VM fewer drops the mark', () => {
  const seen = state('{type: net}');
  const fewer = {...seen, vms: seen.vms.slice(1)};
  // In the room the mark was taken in: one row fewer of list would change the room, and the room alone drops it.
  expect(withDetailRowsSeen(fewer, seen.detailRowsSeen!.room)).not.toBe(fewer);
});
