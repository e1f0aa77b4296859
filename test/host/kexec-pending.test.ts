import {describe, expect, it} from 'vitest';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {isKexecPendingOf, isSecurePendingOf, onceResumedOf} from '../../src/host/lifecycle/pending-work.js';
import {transition} from '../../src/host/lifecycle/transition.js';

/** A guest up and running with svm=off (its kernel booted without it). */
const running = (): Lifecycle => ({
  ...initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'}),
  stage: {kind: 'running'},
});

/** Whether a kexec is on its way is one question; whether it waits for the vCPUs, in words, another. */
describe('isKexecPendingOf: a kexec under way, or waiting, is pending; onceResumedOf says which', () => {
  it('under way, then paused mid-kexec, or asked while paused: pending each time', () => {
    const underWay = transition(running(), {type: 'secure'}).next;
    expect(underWay.stage).toEqual({kind: 'shutting-down', next: 'kexec'});
    expect([isKexecPendingOf(underWay), onceResumedOf(underWay), isSecurePendingOf(underWay)]).toEqual([
      true,
      '',
      true,
    ]);
    // Paused after the kexec started: no `waitsIn`, yet it waits (the old kexecOf said 'under-way').
    const pausedMidway = transition(underWay, {type: 'pause'}).next;
    expect([isKexecPendingOf(pausedMidway), onceResumedOf(pausedMidway)]).toEqual([true, ' once resumed']);
    const askedPaused = transition(transition(running(), {type: 'pause'}).next, {type: 'secure'}).next;
    expect(askedPaused.stage).toMatchObject({kind: 'shutting-down', next: 'kexec', waitsIn: 'running'});
    expect([isKexecPendingOf(askedPaused), onceResumedOf(askedPaused)]).toEqual([true, ' once resumed']);
  });

  it('a running guest, or a reboot on its way, has no kexec pending', () => {
    const guest = running();
    expect(isKexecPendingOf(guest)).toBe(false);
    expect(isKexecPendingOf({...guest, stage: {kind: 'shutting-down', next: 'cold-boot'}})).toBe(false);
  });
});
