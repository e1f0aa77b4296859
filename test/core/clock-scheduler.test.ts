import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {SimulatedClock} from '../../src/core/clock.js';
import {InvariantError} from '../../src/core/assert.js';
import {ScheduledTask, Scheduler} from '../../src/core/scheduler.js';

describe('simulated clock', () => {
  it('moves forward in whole microseconds', () => {
    const clock = new SimulatedClock();
    clock.advanceTo(1500);
    expect(clock.nowUs).toBe(1500);
  });

  it('refuses to go backwards', () => {
    const clock = new SimulatedClock();
    clock.advanceTo(10);
    expect(() => clock.advanceTo(9)).toThrow(/cannot go back/);
  });

  it('refuses fractional time', () => {
    expect(() => new SimulatedClock().advanceTo(1.5)).toThrow(/whole number/);
  });

  it('keeps every whole microsecond up to 2^53 exactly, each clock its own', () => {
    const clock = new SimulatedClock();
    const other = new SimulatedClock();
    for (const timeUs of [0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      clock.advanceTo(timeUs);
      expect(clock.nowUs).toBe(timeUs);
    }
    expect(other.nowUs).toBe(0);
    expect(() => clock.advanceTo(Number.MAX_SAFE_INTEGER + 1)).toThrow(/whole number/);
  });
});

describe('scheduler', () => {
  it('runs timers in time order and ties in scheduling order', () => {
    const scheduler = new Scheduler();
    const order: string[] = [];
    scheduler.at(30, () => order.push('c'));
    scheduler.at(10, () => order.push('a1'));
    scheduler.at(10, () => order.push('a2'));
    scheduler.at(20, () => order.push('b'));
    scheduler.runUntil(100);
    expect(order).toEqual(['a1', 'a2', 'b', 'c']);
    expect(scheduler.nowUs).toBe(100);
  });

  it('refuses a due time that is not a number, where it is scheduled, and keeps the order', () => {
    const scheduler = new Scheduler();
    const order: number[] = [];
    scheduler.at(20, () => order.push(20));
    expect(() => scheduler.at(Number.NaN, () => order.push(0))).toThrow(InvariantError);
    expect(() => scheduler.at(Number.POSITIVE_INFINITY, () => order.push(1))).toThrow(InvariantError);
    scheduler.at(10, () => order.push(10));
    scheduler.runUntil(100);
    expect(order).toEqual([10, 20]);
  });

  it('runs a thousand timers of one instant in scheduling order, cancelled ones left out', () => {
    const scheduler = new Scheduler();
    const order: number[] = [];
    const handles = Array.from({length: 1000}, (_, index) => scheduler.at(50, () => order.push(index)));
    handles.forEach((handle, index) => index % 7 === 0 && handle.cancel());
    scheduler.runUntil(50);
    expect(order).toEqual(Array.from({length: 1000}, (_, index) => index).filter((index) => index % 7 !== 0));
  });

  it('sets the clock to each timer while it runs', () => {
    const scheduler = new Scheduler();
    const seen: number[] = [];
    scheduler.at(7, () => seen.push(scheduler.nowUs));
    scheduler.after(3, () => seen.push(scheduler.nowUs));
    scheduler.runUntil(10);
    expect(seen).toEqual([3, 7]);
  });

  it('stops at the end time and keeps later timers', () => {
    const scheduler = new Scheduler();
    let ran = false;
    scheduler.at(50, () => (ran = true));
    scheduler.runUntil(49);
    expect(ran).toBe(false);
    scheduler.runUntil(50);
    expect(ran).toBe(true);
  });

  it('skips cancelled timers', () => {
    const scheduler = new Scheduler();
    let ran = false;
    scheduler.at(5, () => (ran = true)).cancel();
    scheduler.runUntil(10);
    expect(ran).toBe(false);
  });

  it('runs timers that timers schedule within the same window', () => {
    const scheduler = new Scheduler();
    const seen: number[] = [];
    scheduler.at(1, () => scheduler.after(2, () => seen.push(scheduler.nowUs)));
    scheduler.runUntil(5);
    expect(seen).toEqual([3]);
  });

  it('clamps timers set in the past to now', () => {
    const scheduler = new Scheduler();
    scheduler.runUntil(100);
    const seen: number[] = [];
    scheduler.at(10, () => seen.push(scheduler.nowUs));
    scheduler.runUntil(100);
    expect(seen).toEqual([100]);
  });
});

class Recorded extends ScheduledTask {
  constructor(
    readonly label: number,
    readonly ran: number[],
  ) {
    super();
  }

  run(): void {
    this.ran.push(this.label);
  }
}

describe('scheduler against a sorted list (property)', () => {
  it('runs exactly the due, uncancelled timers in (time, scheduling order), whatever the mix of tasks and closures', () => {
    const step = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          op: fc.constant('at' as const),
          atUs: fc.integer({min: 0, max: 40}),
          asTask: fc.boolean(),
        }),
      },
      {weight: 1, arbitrary: fc.record({op: fc.constant('cancel' as const), pick: fc.nat()})},
      {
        weight: 1,
        arbitrary: fc.record({op: fc.constant('run' as const), forUs: fc.integer({min: 0, max: 15})}),
      },
    );
    fc.assert(
      fc.property(fc.array(step, {minLength: 50, maxLength: 400, size: 'large'}), (steps) => {
        const scheduler = new Scheduler();
        const ran: number[] = [];
        const pending: Array<{label: number; atUs: number; cancel(): void; cancelled: boolean}> = [];
        const expected: number[] = [];
        for (const [label, stepAt] of steps.entries()) {
          if (stepAt.op === 'at') {
            const handle = stepAt.asTask
              ? new Recorded(label, ran)
              : scheduler.at(stepAt.atUs, () => ran.push(label));
            if (handle instanceof Recorded) scheduler.schedule(handle, stepAt.atUs);
            const atUs = Math.max(stepAt.atUs, scheduler.nowUs);
            pending.push({label, atUs, cancel: () => handle.cancel(), cancelled: false});
          } else if (stepAt.op === 'cancel' && pending.length > 0) {
            const victim = pending[stepAt.pick % pending.length]!;
            victim.cancel();
            victim.cancelled = true;
          } else if (stepAt.op === 'run') {
            const endUs = scheduler.nowUs + stepAt.forUs;
            // Stable sort: equal times keep scheduling order.
            const due = pending.filter((timer) => timer.atUs <= endUs).sort((a, b) => a.atUs - b.atUs);
            expected.push(...due.filter((timer) => !timer.cancelled).map((timer) => timer.label));
            pending.splice(0, pending.length, ...pending.filter((timer) => timer.atUs > endUs));
            scheduler.runUntil(endUs);
            expect(ran).toEqual(expected);
          }
        }
      }),
    );
  });
});
