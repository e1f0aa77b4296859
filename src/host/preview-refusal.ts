import {invariantBroken} from '../core/assert.js';
import {forcedInflateWords} from './balloon-policy.js';
import type {RefusalCode} from './lifecycle/lifecycle.js';
import type {World} from './world.js';

/**
 * A command the host's dry run refused, as its preview says it. A balloon refused as
 * memory-protected always carries `ifForced`: what forcing it will do, the question the
 * dashboard asks before it forces (the words are forcedInflateWords', nowhere else).
 */
export type PreviewRefusal =
  | {readonly ok: false; readonly code: Exclude<RefusalCode, 'memory-protected'>; readonly reason: string}
  | {
      readonly ok: false;
      readonly code: 'memory-protected';
      readonly reason: string;
      readonly ifForced: string;
    };

/** The dry run's refusal of a command on `vm`, with what forcing would do where it can be forced. */
export function previewRefusal(
  world: World,
  vm: string,
  {code, reason}: {code: RefusalCode; reason: string},
): PreviewRefusal {
  if (code !== 'memory-protected') return {ok: false, code, reason};
  // The dry run just asked this guest's balloon policy, so the guest is there.
  const guest = world.guest(vm) ?? invariantBroken(`preview: ${vm}, refused as memory-protected, is gone`);
  return {ok: false, code, reason, ifForced: forcedInflateWords(guest)};
}
