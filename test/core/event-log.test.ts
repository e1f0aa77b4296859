import {describe, expect, it} from 'vitest';
import {EventLog, type WorldEvent} from '../../src/core/event-log.js';
import {RateLimiter} from '../../src/core/rate-limit.js';

const event = (tUs: number, vm: string | null = 'vm'): WorldEvent => ({
  tUs,
  vm,
  kind: 'test',
  severity: 'info',
  message: `at ${tUs}`,
});

describe('event log', () => {
  it('keeps only the newest events, oldest first, and counts all', () => {
    const log = new EventLog(3);
    for (let t = 1; t <= 5; t++) log.append(event(t));
    expect(log.recent(10).map((entry) => entry.tUs)).toEqual([3, 4, 5]);
    expect(log.totalCount).toBe(5);
    expect(log.countsBySeverity.info).toBe(5);
  });

  it('filters by guest and tells listeners', () => {
    const log = new EventLog(10);
    const heard: number[] = [];
    const unsubscribe = log.subscribe((entry) => heard.push(entry.tUs));
    log.append(event(1, 'a'));
    log.append(event(2, 'b'));
    unsubscribe();
    log.append(event(3, 'a'));
    expect(log.recent(10, 'a').map((entry) => entry.tUs)).toEqual([1, 3]);
    expect(heard).toEqual([1, 2]);
  });
});

describe('kernel rate limit', () => {
  it('allows a burst of 10 per 5 s and reports what it suppressed', () => {
    const limiter = new RateLimiter();
    const allowed = Array.from({length: 15}, () => limiter.check(0).isAllowed).filter(Boolean).length;
    expect(allowed).toBe(10);
    const next = limiter.check(5_000_000);
    expect(next.isAllowed).toBe(true);
    expect(next.suppressedBefore).toBe(5);
  });
});
