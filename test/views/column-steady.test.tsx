import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {VmSnapshot} from '../../src/host/snapshot-types.js';
import {layoutList} from '../../src/views/column-layout.js';
import {createTheme} from '../../src/views/theme.js';
import {VM_COLUMNS} from '../../src/views/vm-columns.js';
import {renderDashboard} from '../helpers/views.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// An exploratory tester at 80 columns: the VM list's columns changed while the VMs booted (DMA
// shown, then hidden as SECURITY and DEVICES widened; DEV and DEVICES, BOUNCE PEAK and BOUNCE
// taking turns). Columns are chosen and sized for every state the listed VMs reach on their own.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the VM list keeps its columns while VMs boot', () => {
  it.each([
    [80, 24],
    [120, 40],
  ] as const)('at %ix%i the header is the same line from power-on to 30 s', async (columns, rows) => {
    const view = renderDashboard({columns, rows, seconds: 0});
    const headers = new Set<string>();
    for (let step = 0; step < 60; step++) {
      headers.add(view.frame().split('\n')[1]!);
      await view.refresh(0.5, 500);
    }
    expect([...headers]).toEqual([[...headers][0]]);
  });

  it('at 80 columns a VM migrating, another converting and one with every device broken keep DMA on screen', () => {
    const world = startWorld(defaultConfig(), 1);
    world.advanceTo(30_000_000);
    const theme = createTheme(false);
    const sort = {key: 'name', marker: '^'};
    const vms = world.getSnapshot().vms;
    const keys = (listed: readonly VmSnapshot[]) =>
      layoutList(VM_COLUMNS, listed, theme, 79, sort).columns.map((column) => column.key);
    const busy = vms.map((vm): VmSnapshot => {
      if (vm.name === 'churn-1') return {...vm, state: 'migrating'};
      if (vm.name === 'web-1')
        return {
          ...vm,
          state: 'booting',
          security: {...vm.security, state: 'transitioning', phase: 'init-done'},
        };
      if (vm.name === 'legacy-1')
        return {...vm, devices: vm.devices.map((device) => ({...device, status: 'needs-reset'}))};
      return vm;
    });
    expect(keys(vms)).toContain('dma');
    expect(keys(busy)).toEqual(keys(vms));
  });
});
