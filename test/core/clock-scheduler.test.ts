import {describe, expect, it} from 'vitest';
import {SimulatedClock} from '../../src/core/clock.js';
import {Scheduler} from '../../src/core/scheduler.js';

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
