import {describe, expect, it} from 'vitest';
import {runStateOf} from '../../src/qmp/run-state.js';
import type {VmFacts} from '../../src/qmp/world-port.js';

function facts(overrides: Partial<VmFacts>): VmFacts {
  return {haltCause: null, isPausedByUser: false, vcpu: 'running', ...overrides} as VmFacts;
}

describe('query-status run state from the lifecycle (qapi/run-state.json RunState)', () => {
  it('a failed KVM_RUN is internal-error, as kvm_cpu_exec stops the VM with RUN_STATE_INTERNAL_ERROR', () => {
    expect(runStateOf(facts({haltCause: 'internal-error'}))).toBe('internal-error');
  });

  it('a power-off is shutdown, a panic or os-term guest-panicked, a stop-and-copy finish-migrate', () => {
    expect(runStateOf(facts({haltCause: 'shutdown'}))).toBe('shutdown');
    expect(runStateOf(facts({haltCause: 'power-off'}))).toBe('shutdown');
    expect(runStateOf(facts({haltCause: 'os-term'}))).toBe('guest-panicked');
    expect(runStateOf(facts({haltCause: 'panic'}))).toBe('guest-panicked');
    expect(runStateOf(facts({vcpu: 'stopped-for-migration'}))).toBe('finish-migrate');
    expect(runStateOf(facts({isPausedByUser: true}))).toBe('paused');
    expect(runStateOf(facts({}))).toBe('running');
  });

  it('reset while not running is prelaunch until cont (softmmu/runstate.c main_loop_should_exit); a halt still wins', () => {
    expect(runStateOf(facts({vcpu: 'paused', isPausedByUser: true, isHeldAfterReset: true}))).toBe(
      'prelaunch',
    );
    expect(runStateOf(facts({haltCause: 'panic', isPausedByUser: true, isHeldAfterReset: true}))).toBe(
      'guest-panicked',
    );
  });
});
