import {describe, expect, test} from 'vitest';
import {VmEventWatcher} from '../../src/qmp/event-watcher.js';
import type {VmFacts} from '../../src/qmp/world-port.js';

const base: VmFacts = {
  haltCause: null,
  vcpu: 'running',
  isPausedByUser: false,
  isHeldAfterReset: false,
  isColdBooting: false,
  bootCount: 2,
  securityState: 'normal',
  migrationStatus: null,
  dirtySyncCount: 0,
  balloonActualBytes: 0,
  memoryBytes: 8 << 20,
};

describe('VmEventWatcher', () => {
  test("BALLOON_CHANGE: the first at once, then at most one per second carrying the latest value (QEMU's throttle)", () => {
    const watcher = new VmEventWatcher(() => true);
    watcher.observe(base, 0);
    const sent: Array<{atUs: number; actual: unknown}> = [];
    let balloonBytes = 0;
    for (let tUs = 1000; tUs <= 3_500_000; tUs += 1000) {
      // The guest moves its balloon every 100 ms for two seconds; the watcher looks every millisecond.
      if (tUs <= 2_000_000 && tUs % 100_000 === 0) balloonBytes = (tUs / 100_000) * 4096;
      for (const event of watcher.observe({...base, balloonActualBytes: balloonBytes}, tUs))
        sent.push({atUs: tUs, actual: event.data!.actual});
    }
    expect(sent.map((event) => event.atUs)).toEqual([100_000, 1_100_000, 2_100_000]);
    expect(sent.at(-1)!.actual).toBe((8 << 20) - 20 * 4096);
  });

  test('a migration: MIGRATION_PASS before MIGRATION active, STOP at stop-and-copy, completed then RESUME', () => {
    const watcher = new VmEventWatcher(() => true);
    const names = (facts: Partial<VmFacts>, tUs: number) =>
      watcher
        .observe({...base, ...facts}, tUs)
        .map((event) => `${event.event}${event.data ? JSON.stringify(event.data) : ''}`);
    expect(names({}, 0)).toEqual([]);
    expect(names({migrationStatus: 'setup'}, 1)).toEqual(['MIGRATION{"status":"setup"}']);
    expect(names({migrationStatus: 'setup', dirtySyncCount: 1}, 2)).toEqual([]);
    expect(names({migrationStatus: 'active', dirtySyncCount: 1}, 3)).toEqual([
      'MIGRATION_PASS{"pass":1}',
      'MIGRATION{"status":"active"}',
    ]);
    expect(names({migrationStatus: 'active', dirtySyncCount: 2}, 4)).toEqual(['MIGRATION_PASS{"pass":2}']);
    expect(names({migrationStatus: 'active', dirtySyncCount: 2, vcpu: 'stopped-for-migration'}, 5)).toEqual([
      'STOP',
    ]);
    expect(names({migrationStatus: 'completed', dirtySyncCount: 2}, 6)).toEqual([
      'MIGRATION{"status":"completed"}',
      'RESUME',
    ]);
  });

  test('without the events capability, no MIGRATION events', () => {
    const watcher = new VmEventWatcher(() => false);
    watcher.observe(base, 0);
    expect(watcher.observe({...base, migrationStatus: 'active'}, 1)).toEqual([]);
  });

  test('SHUTDOWN says who powered the VM off: the host (quit) or the guest (asked by system_powerdown)', () => {
    const watcher = new VmEventWatcher(() => false);
    const names = (facts: Partial<VmFacts>) =>
      watcher
        .observe({...base, ...facts}, 0)
        .map((event) => `${event.event}${JSON.stringify(event.data ?? {})}`);
    names({});
    // quit: no STOP (qemu/qemu softmmu/cpus.c vm_shutdown, do_vm_stop(..., false); QEMU 7.2 checked).
    expect(names({haltCause: 'power-off'})).toEqual(['SHUTDOWN{"guest":false,"reason":"host-qmp-quit"}']);
    // A VM that is off asks for no reset: booting it is the host's (tester finding F9).
    expect(names({bootCount: 3, isColdBooting: true})).toEqual([
      'RESET{"guest":false,"reason":"host-qmp-system-reset"}',
      'RESUME{}',
    ]);
    expect(names({haltCause: 'shutdown'})).toEqual([
      'SHUTDOWN{"guest":true,"reason":"guest-shutdown"}',
      'STOP{}',
    ]);
  });

  test('a RESET announced by system_reset is not repeated by the cold boot, and is forgotten once the VM halts', () => {
    const watcher = new VmEventWatcher(() => false);
    const names = (facts: Partial<VmFacts>) =>
      watcher.observe({...base, ...facts}, 0).map((event) => event.event);
    names({});
    watcher.announce('host-reset', 0);
    expect(names({haltCause: 'power-off'})).toEqual(['SHUTDOWN']);
    expect(names({bootCount: 3, isColdBooting: true})).toEqual(['RESET', 'RESUME']);
  });
});
