import type {Lifecycle} from './lifecycle.js';

/**
 * What the guest was asked to do and has yet to get to, and whether the user's pause holds it:
 * the transition's answers, the command preview, QMP and the migration checks ask here.
 */

/** The kexec `secure` led to, if any (the answer to `secure` and the question before it say it). */
export function kexecOf(lifecycle: Lifecycle): 'none' | 'under-way' | 'once-resumed' {
  const {stage} = lifecycle;
  if (stage.kind !== 'shutting-down' || stage.next !== 'kexec') return 'none';
  return stage.waitsIn === undefined ? 'under-way' : 'once-resumed';
}

/** ' once resumed' where a shutdown (a kexec's, a power-off's) waits for stopped vCPUs, else ''. */
export function onceResumedOf(lifecycle: Lifecycle): string {
  const {stage, vcpu} = lifecycle;
  const isWaiting =
    stage.kind === 'shutting-down' && (stage.waitsIn !== undefined || vcpu.kind !== 'running');
  return isWaiting ? ' once resumed' : '';
}

/**
 * svm=on asked for and on its way in this boot: a kexec into the secure kernel under way or
 * waiting for `cont`. Wherever the guest is then, it calls UV_ESM there, so a migration must
 * treat it as secure (a destination without an ultravisor would halt it after resume).
 */
export function isSecurePendingOf(lifecycle: Lifecycle): boolean {
  return lifecycle.settings.svm && kexecOf(lifecycle) !== 'none';
}
