import {describe, expect, it} from 'vitest';
import {runStep} from '../../src/host/command-dispatch.js';
import {previewCommand} from '../../src/host/command-preview.js';
import type {World} from '../../src/host/world.js';
import {defaultConfig, eventsOf, startWorld, vm} from '../helpers/world.js';

/** An exploratory tester's findings in the host (one regression each). */

const MiB = 2 ** 20;

function world(seconds = 5): World {
  return startWorld(defaultConfig(), 1, {seconds, unchecked: true});
}

/** legacy-1 (epsilon, access-platform-gated): its balloon has no ACCESS_PLATFORM, so secure it faults. */
function secureLegacy(): World {
  const running = world();
  expect(runStep(running, {at: 0, do: 'secure', vm: 'legacy-1'}).ok).toBe(true);
  running.advanceTo(15_000_000);
  expect(vm(running, 'legacy-1').security.state).toBe('secure');
  return running;
}

describe('a forced balloon on a secure guest whose balloon lacks ACCESS_PLATFORM', () => {
  it('the question says the device will fault when forced', () => {
    const running = secureLegacy();
    const preview = previewCommand(running, {
      kind: 'balloon',
      vm: 'legacy-1',
      targetBytes: 256 * MiB,
      isForced: false,
    });
    expect(preview).toMatchObject({ok: false, code: 'memory-protected'});
    expect(preview.ok || preview.code !== 'memory-protected' ? '' : preview.ifForced).toBe(
      'its memory is secure, so the host would reclaim nothing; its balloon has no ACCESS_PLATFORM, so QEMU reads its rings at raw addresses in secure memory and the device will fault',
    );
    expect(preview.ok ? '' : preview.reason).toContain('the device will fault (force to inflate anyway)');
  });

  it('once broken, the balloon is refused with its code, forced or not, as its snapshot says', () => {
    const running = secureLegacy();
    runStep(running, {at: 0, do: 'balloon', vm: 'legacy-1', target: 256 * MiB, force: true});
    running.advanceTo(25_000_000);
    expect(vm(running, 'legacy-1').balloon).toMatchObject({available: false, reasonCode: 'device-broken'});
    const refusal = {
      ok: false,
      code: 'balloon-broken',
      reason: "legacy-1's balloon device needs reset: Guest says index 64837 is available",
    };
    expect(runStep(running, {at: 0, do: 'balloon', vm: 'legacy-1', target: 512 * MiB, force: true})).toEqual(
      refusal,
    );
    expect(runStep(running, {at: 0, do: 'balloon', vm: 'legacy-1', target: 512 * MiB, force: false})).toEqual(
      refusal,
    );
    expect(eventsOf(running, 'legacy-1').filter((text) => text.startsWith('balloon: ok'))).toHaveLength(1);
  });
});

describe('an immediate power-off (QMP quit) of a paused VM', () => {
  it('resumes nothing: no "resumed for power-off"; afterwards resume is refused and a reboot runs it', () => {
    const running = world();
    expect(runStep(running, {at: 0, do: 'pause', vm: 'web-1'}).ok).toBe(true);
    expect(running.command('web-1', {do: 'power-off', isGraceful: false}, 'power-off (immediate)').ok).toBe(
      true,
    );
    const events = eventsOf(running, 'web-1');
    expect(events.some((text) => text.startsWith('resumed'))).toBe(false);
    expect(vm(running, 'web-1').state).toBe('halted');
    expect(runStep(running, {at: 0, do: 'resume', vm: 'web-1'})).toEqual({
      ok: false,
      code: 'not-paused',
      reason: 'web-1 is not paused',
    });
    expect(runStep(running, {at: 0, do: 'reboot', vm: 'web-1'}).ok).toBe(true);
    expect(eventsOf(running, 'web-1').some((text) => text.startsWith('resumed'))).toBe(false);
    running.advanceBy(20_000_000);
    expect(vm(running, 'web-1').state).toBe('running');
  });
});

describe('a config reload that recreates or removes a migrating guest', () => {
  const migratingChurn = () => {
    const running = world();
    expect(running.migrate('churn-1', 'beta').ok).toBe(true);
    running.advanceBy(200_000);
    return running;
  };

  it('says the migration was abandoned because the reload recreates the guest, not that it keeps running', () => {
    const running = migratingChurn();
    const config = running.config;
    running.applyConfig({
      ...config,
      guests: config.guests.map((guest) =>
        guest.name === 'churn-1' ? {...guest, memory: guest.memory * 2} : guest,
      ),
    });
    expect(eventsOf(running, 'churn-1')).toContain(
      'migration to beta abandoned: the config reload recreates churn-1 (it boots again from its new config)',
    );
    expect(eventsOf(running, 'churn-1').some((text) => text.includes('keeps running'))).toBe(false);
  });

  it('and, for a guest the reload removes, that it is removed', () => {
    const running = migratingChurn();
    const config = running.config;
    running.applyConfig({...config, guests: config.guests.filter((guest) => guest.name !== 'churn-1')});
    expect(eventsOf(running, 'churn-1')).toContain(
      'migration to beta abandoned: the config reload removes churn-1',
    );
  });
});

describe('the event log of a reset of a stopped VM', () => {
  it('says what happens, in order: the devices reset at once, then the answer that it is held', () => {
    for (const stop of ['pause', 'halt'] as const) {
      const running = world();
      if (stop === 'pause') running.pause('churn-1');
      else running.command('churn-1', {do: 'power-off', isGraceful: false});
      const from = eventsOf(running, 'churn-1').length;
      expect(running.command('churn-1', {do: 'reset'}).ok).toBe(true);
      expect(eventsOf(running, 'churn-1').slice(from), stop).toEqual([
        'reset: devices reset at once (in-flight I/O dropped)',
        `reset: ok (reset at once; ${stop === 'pause' ? 'stays paused' : 'held'} before its firmware until resumed)`,
      ]);
    }
  });
});
