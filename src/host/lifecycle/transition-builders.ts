import type {Effect, Lifecycle, RefusalCode, Transition} from './lifecycle.js';

/** How a transition is told: every rule in src/host/lifecycle answers through these three. */

/** An accepted command or a step taken: the next lifecycle and what the guest must do. */
export function accept(next: Lifecycle, effects: readonly Effect[] = [], message?: string): Transition {
  return {next, effects, result: message === undefined ? {ok: true} : {ok: true, message}};
}

/** A refused command: nothing changes, the answer names the rule. */
export function refuse(lifecycle: Lifecycle, code: RefusalCode, reason: string): Transition {
  return {next: lifecycle, effects: [], result: {ok: false, code, reason}};
}

/** An event log line the guest writes as part of a transition. */
export function log(
  message: string,
  eventKind = 'state',
  severity: 'info' | 'warning' | 'error' = 'info',
): Effect {
  return {kind: 'log', eventKind, severity, message};
}
