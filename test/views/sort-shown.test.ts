import {describe, expect, it} from 'vitest';
import type {VmSnapshot} from '../../src/host/snapshot-types.js';
import {layoutList} from '../../src/views/column-layout.js';
import {createTheme} from '../../src/views/theme.js';
import {orderVms} from '../../src/views/vm-order.js';
import {migrationLabel, VM_COLUMNS} from '../../src/views/vm-columns.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// A reviewer's findings: the sorted VCPU column read `VCP^`, DMA sorted by the policy's full name
// while the column shows gated/rfc/not-ppc, and MIGRATION put `done 900 ms` after `done 1.2s`.

const world = startWorld(defaultConfig(), 1);
world.advanceTo(12_000_000);
const vms = world.getSnapshot().vms;
const base = vms.find((vm) => vm.name === 'web-1')!;
const theme = createTheme(false);

function completed(name: string, downtimeMs: number): VmSnapshot {
  const migration = {
    to: 'beta',
    status: 'completed',
    blockedReasons: [],
    downtimeMs,
    ram: {total: 0, normalBytes: 0, duplicate: 0, pageSize: 4096, dirtySyncCount: 1},
  };
  return {...base, name, migration} as unknown as VmSnapshot;
}

describe('sorting orders what the column shows', () => {
  it.each([80, 120, 200])('at %i columns the sorted VCPU column keeps its whole title and mark', (width) => {
    for (const marker of ['^', 'v']) {
      const layout = layoutList(VM_COLUMNS, vms, theme, width, {key: 'vcpus', marker});
      expect(layout.header).toContain(` VCPU${marker}`);
    }
  });

  it('DMA sorts by its text: gated, not-ppc, rfc', () => {
    const policies = ['force-dma-api', 'restricted', 'access-platform-gated'] as const;
    const listed = policies.map((dmaPolicy, index) => ({
      ...base,
      name: `vm-${index}`,
      dmaPolicy,
      dmaPolicyInEffect: dmaPolicy,
    }));
    const dma = VM_COLUMNS.find((column) => column.key === 'dma')!;
    const shown = orderVms(listed, '', 'dma', false).map((vm) => dma.cell(vm, theme).text);
    expect(shown).toEqual(['gated', 'not-ppc', 'rfc']);
  });

  it('MIGRATION sorts by state, then by the number: done 900 ms before done 1.2s', () => {
    const listed = [completed('a', 1200), completed('b', 900), completed('c', 45), {...base, name: 'd'}];
    const shown = orderVms(listed, '', 'migration', false).map(migrationLabel);
    expect(shown).toEqual(['-', 'done 45 ms', 'done 900 ms', 'done 1.2s']);
  });
});
