import {describe, expect, it} from 'vitest';
import {previewCommand} from '../../src/host/command-preview.js';
import {defaultConfig, eventsOf, runChecked, startWorld} from '../helpers/world.js';

/** legacy-1 (svm=off) paused, then asked to power off gracefully: the EPOW waits for `cont`. */
function pausedPoweringOff() {
  const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
  expect(world.pause('legacy-1').ok).toBe(true);
  expect(world.command('legacy-1', {do: 'power-off', isGraceful: true})).toEqual({
    ok: true,
    message: 'EPOW raised; the guest powers off once resumed',
  });
  return world;
}

const kexecText = (preview: ReturnType<typeof previewCommand>) =>
  preview.ok
    ? preview.consequences.find((consequence) => consequence.code === 'kexec')?.text
    : preview.reason;

describe('secure on a paused guest with a power-off pending says the shutdown waits for resume', () => {
  it('the answer, the refusal of a second `s` and the dashboard question all say "once resumed"', () => {
    const world = pausedPoweringOff();
    // Before: 'boots with svm=on once it has shut down', of a guest that shuts nothing down while paused.
    expect(kexecText(previewCommand(world, {kind: 'secure', vm: 'legacy-1'}))).toBe(
      'boots with svm=on once resumed and shut down',
    );
    // Before: 'svm=on set; booting once it has shut down'.
    expect(world.secure('legacy-1')).toEqual({
      ok: true,
      message: 'svm=on set; booting once resumed and shut down',
    });
    const refusal = 'legacy-1 already has svm=on set; booting once resumed and shut down';
    expect(world.secure('legacy-1')).toEqual({ok: false, code: 'svm-already-set', reason: refusal});
    expect(previewCommand(world, {kind: 'secure', vm: 'legacy-1'})).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: refusal,
    });
    expect(eventsOf(world, 'legacy-1').slice(-2)).toEqual([
      'secure: ok (svm=on set; booting once resumed and shut down)',
      `secure refused: ${refusal}`,
    ]);
  });

  it("once resumed the words are the running guest's again, and it boots with svm=on", () => {
    const world = pausedPoweringOff();
    world.secure('legacy-1');
    expect(world.resume('legacy-1').ok).toBe(true);
    expect(world.secure('legacy-1')).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; booting once it has shut down',
    });
    runChecked(world, 10);
    expect(eventsOf(world, 'legacy-1')).toContain('EPOW: Power off requested');
    expect(world.guest('legacy-1')!.lifecycle.bootCount).toBe(2);
  });
});
