import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {SORT_KEYS} from '../../src/views/dashboard-model.js';
import {HELP_LINES} from '../../src/views/key-bindings.js';
import {VM_COLUMNS} from '../../src/views/vm-columns.js';
import {orderVms} from '../../src/views/vm-order.js';
import {renderDashboard} from '../helpers/views.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// A new user found `<` `>` cycled six of the thirteen columns, and nothing said which column the
// list was sorted by once it was one the width hides (I/O at 80 columns). As in htop and k9s,
// every column sorts, the header marks it, and the sorted column is never the one hidden.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sorting the VM list', () => {
  it('every column is a sort key, `<` `>` moving through them in the order they are drawn', () => {
    expect([...SORT_KEYS]).toEqual(VM_COLUMNS.map((column) => column.key));
  });

  it('at 80x24 the sorted column is shown, marked, and the status line names it', async () => {
    const view = renderDashboard({columns: 80, rows: 24, seconds: 30});
    const header = () => view.frame().split('\n')[1]!;
    expect(header()).not.toContain('I/O');
    await view.type('>>>>>>>');
    expect(header()).toContain(' I/O^');
    expect(view.statusLine()).toContain('sorted by I/O, ascending');
    await view.type('I');
    expect(header()).toContain(' I/Ov');
    expect(view.statusLine()).toContain('sorted by I/O, descending');
    await view.type('<<<<<<<<');
    // Round from VM, left: the last column.
    expect(view.statusLine()).toContain('sorted by WORKLOAD, descending');
    expect(header()).toMatch(/ (WORK)?LOADv/);
  });

  it('the help says every column sorts and what the marks are', () => {
    const help = HELP_LINES.map((line) => line.text).join('\n');
    expect(help).toMatch(/< > I +sort by any column/);
    expect(help).toMatch(/\^ v +the column the list is sorted by, ascending \^ or descending v/);
  });
});

describe('the new sort keys order what their column shows', () => {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(30_000_000);
  const vms = world.getSnapshot().vms;
  const names = (key: (typeof SORT_KEYS)[number], isDescending = false) =>
    orderVms(vms, '', key, isDescending).map((vm) => vm.name);

  it('devices: the broken first, then the refused, descending', () => {
    const broken = vms.filter((vm) => vm.devices.some((device) => device.status === 'needs-reset'));
    expect(broken.length).toBeGreaterThan(0);
    const order = names('devices', true);
    expect(order.slice(0, broken.length).toSorted()).toEqual(broken.map((vm) => vm.name).toSorted());
  });

  it('vCPUs, memory and balloon as numbers', () => {
    const byVcpus = orderVms(vms, '', 'vcpus', false).map((vm) => vm.vcpus);
    expect(byVcpus).toEqual(byVcpus.toSorted((a, b) => a - b));
    const byMemory = orderVms(vms, '', 'memory', true).map((vm) => vm.memoryBytes);
    expect(byMemory).toEqual(byMemory.toSorted((a, b) => b - a));
    const byBalloon = orderVms(vms, '', 'balloon', true).map((vm) => vm.balloon?.actualBytes ?? -1);
    expect(byBalloon).toEqual(byBalloon.toSorted((a, b) => b - a));
  });
});
