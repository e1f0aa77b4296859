import {describe, expect, it} from 'vitest';
import {previewCommand} from '../../src/host/command-preview.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// `s` on a guest paused while it boots said 'this boot will enter secure mode', though a paused
// guest boots nothing until `cont` (the other paused-guest answers say 'once resumed').

describe('secure on a guest paused before its kernel runs says the boot waits for resume', () => {
  it('paused in its firmware: the question, the answer and a second `s` say "once resumed"', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 0.3, unchecked: true});
    expect(world.getSnapshot().vms.find((vm) => vm.name === 'legacy-1')!.state).toBe('booting');
    expect(world.pause('legacy-1').ok).toBe(true);
    const preview = previewCommand(world, {kind: 'secure', vm: 'legacy-1'});
    expect(preview.ok && preview.consequences[0]).toEqual({
      code: 'kexec',
      text: 'this boot enters secure mode once resumed',
    });
    expect(world.secure('legacy-1')).toEqual({
      ok: true,
      message: 'svm=on set; this boot will enter secure mode once resumed',
    });
    expect(previewCommand(world, {kind: 'secure', vm: 'legacy-1'})).toEqual({
      ok: false,
      code: 'svm-already-set',
      reason: 'legacy-1 already has svm=on set; this boot will enter secure mode once resumed',
    });
    expect(world.resume('legacy-1').ok).toBe(true);
    expect(world.secure('legacy-1')).toMatchObject({
      ok: false,
      reason: 'legacy-1 already has svm=on set; this boot will enter secure mode',
    });
  });
});
