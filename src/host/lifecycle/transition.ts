import {decideCommand} from './lifecycle-commands.js';
import {advanceGuest, advanceMigration} from './lifecycle-progress.js';
import type {Lifecycle, LifecycleEvent, Transition} from './lifecycle.js';

/**
 * The guest lifecycle's one step, a pure function in the manner of XState's
 * `transition(state, event) → [next, actions]` (statelyai/xstate packages/core): every command's
 * acceptance or refusal, and every state change, is decided here; `Guest` only carries out the
 * effects. Commands always answer; an event from the guest or a migration that cannot happen in
 * the current state is a programmer error and throws.
 */
export function transition(lifecycle: Lifecycle, event: LifecycleEvent): Transition {
  switch (event.type) {
    case 'pause':
    case 'resume':
    case 'reboot':
    case 'secure':
    case 'unsecure':
    case 'set-policy':
    case 'set-workload':
    case 'set-svm':
    case 'crash':
    case 'migrate':
    case 'balloon':
      return decideCommand(lifecycle, event);
    case 'migration-started':
    case 'migration-stop-vcpus':
    case 'migration-ended':
      return advanceMigration(lifecycle, event);
    default:
      return advanceGuest(lifecycle, event);
  }
}
