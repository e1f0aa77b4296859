import {EventEmitter} from 'node:events';
import {describe, expect, test} from 'vitest';
import {headlessExitCode, onStopSignals, signalExitCode, STOP_SIGNALS} from '../../src/app/stop-signals.js';

describe('the signals that end a headless run', () => {
  test('SIGTERM, SIGINT and SIGHUP each stop it once; a second signal exits at once with 128 + n', () => {
    for (const first of STOP_SIGNALS) {
      const target = new EventEmitter();
      const stop = new AbortController();
      const exits: number[] = [];
      const stoppedBy = onStopSignals(stop, (code) => void exits.push(code), target);
      expect(stoppedBy()).toBeUndefined();
      target.emit(first);
      expect(stop.signal.aborted).toBe(true);
      expect(stoppedBy()).toBe(first);
      expect(exits).toEqual([]);
      target.emit('SIGINT');
      expect(exits).toEqual([130]);
      expect(stoppedBy()).toBe(first);
    }
  });

  test('128 + n, as a shell reports a process a signal ended', () => {
    expect(STOP_SIGNALS.map(signalExitCode)).toEqual([143, 130, 129]);
  });

  test("--qmp keeps the run's own code (a signal is how it ends); a plain run cut short says so", () => {
    expect(headlessExitCode(0, undefined, false)).toBe(0);
    expect(headlessExitCode(1, undefined, true)).toBe(1);
    expect(headlessExitCode(0, 'SIGHUP', true)).toBe(0);
    expect(headlessExitCode(1, 'SIGTERM', true)).toBe(1);
    expect(headlessExitCode(0, 'SIGTERM', false)).toBe(143);
    expect(headlessExitCode(1, 'SIGINT', false)).toBe(130);
  });
});
