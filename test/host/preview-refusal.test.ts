import {describe, expect, it} from 'vitest';
import {previewCommand, type CommandPreview} from '../../src/host/command-preview.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

const MiB = 2 ** 20;

describe('a refused preview: the memory-protected one always says what forcing would do', () => {
  it('the type requires ifForced on memory-protected and allows it nowhere else', () => {
    // @ts-expect-error a memory-protected refusal without ifForced: the dashboard would have no question
    const missing: CommandPreview = {ok: false, code: 'memory-protected', reason: 'web-1 says no'};
    // @ts-expect-error ifForced on another refusal: nothing asks it
    const stray: CommandPreview = {ok: false, code: 'halted', reason: 'web-1 is halted', ifForced: 'x'};
    expect([missing.ok, stray.ok]).toEqual([false, false]);
  });

  it('the host fills it from forcedInflateWords; other refusals carry none', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12, unchecked: true});
    expect(vm(world, 'rfc-1').security.state).toBe('secure');
    const request = {kind: 'balloon', vm: 'rfc-1', targetBytes: 256 * MiB, isForced: false} as const;
    const refused = previewCommand(world, request);
    expect(refused).toMatchObject({
      ok: false,
      code: 'memory-protected',
      ifForced: 'its memory is secure, so the host would reclaim nothing',
    });
    expect(previewCommand(world, {kind: 'secure', vm: 'rfc-1'})).toEqual({
      ok: false,
      code: 'already-secure',
      reason: 'rfc-1 is already secure',
    });
  });
});
