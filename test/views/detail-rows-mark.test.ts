import {expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {initialDashboardState, type DashboardState} from '../../src/views/dashboard-state.js';
import {layoutOf} from '../../src/views/dashboard-layout.js';
import type {DashboardView} from '../../src/views/dashboard-model.js';
import {apply} from '../helpers/reducer.js';
import {configFromYaml, startWorld} from '../helpers/world.js';

// The panel's high-water mark (detail-rows.ts) outlived the VM that set it: kept by tab and width
// only, a reload that took vm-1's five devices away left the list at 13 rows above blank detail
// rows at 80x24, where a fresh start lists 17.

/** 30 VMs with a net device; `isTall`: the first has five devices; `first`: its name. */
function view(isTall: boolean, first = 'vm-1'): DashboardView {
  const guests = Array.from({length: 30}, (_, i) => {
    const devices =
      isTall && i === 0
        ? '{type: net}, {type: blk}, {type: console}, {type: rng}, {type: balloon}'
        : '{type: net}';
    return `  - name: ${i === 0 ? first : `vm-${i + 1}`}\n    host: alpha\n    vcpus: 2\n    memory: 2GiB\n    devices: [${devices}]\n`;
  }).join('');
  const yaml = `hosts:\n  - {name: alpha, memory: 512GiB}\nguests:\n${guests}`;
  return dashboardViewOf(startWorld(configFromYaml(yaml)));
}

const size = {columns: 80, rows: 24};

function started(first: DashboardView): DashboardState {
  return apply(initialDashboardState(first, size, {tab: 'devices'}), {type: 'view', view: first}).state;
}

it('a reload that makes the tall VM short gives the list the rows a fresh start gives it', () => {
  const tall = started(view(true));
  const reloaded = apply(tall, {type: 'view', view: view(false)}).state;
  expect(layoutOf(reloaded).listHeight).toBeGreaterThan(layoutOf(tall).listHeight);
  expect(layoutOf(reloaded).listHeight).toBe(layoutOf(started(view(false))).listHeight);
});

it('a filter that leaves the tall VM out gives the list back its rows', () => {
  const tall = started(view(true, 'tall'));
  const state = apply(tall, {type: 'filter-open'}, {type: 'filter-type', text: 'vm'}).state;
  expect(state.vms).toHaveLength(29);
  const fresh = layoutOf({...state, detailRowsSeen: null});
  expect(layoutOf(state).listHeight).toBe(fresh.listHeight);
});

it('moving the selection off the tall VM keeps the mark (the edge does not come back)', () => {
  const tall = started(view(true));
  const moved = apply(tall, {type: 'select-by', rows: 1}).state;
  expect(moved.selectedVm).toBe('vm-2');
  expect(layoutOf(moved).listHeight).toBe(layoutOf(tall).listHeight);
});
