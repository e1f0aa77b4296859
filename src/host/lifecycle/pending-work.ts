import type {Lifecycle} from './lifecycle.js';

/**
 * What the guest was asked to do and has yet to get to, and whether the user's pause holds it:
 * the transition's answers, the command preview, QMP and the migration checks ask here.
 */

/**
 * A kexec `secure` led to is on its way, under way or waiting for stopped vCPUs (whether it waits,
 * in words, is onceResumedOf's to say). The question before `secure` and the migration checks ask.
 */
export function isKexecPendingOf({stage}: Lifecycle): boolean {
  return stage.kind === 'shutting-down' && stage.next === 'kexec';
}

/**
 * A shutdown (a reboot's drain, or a power-off that `secure` turned into one) that ends in a cold
 * boot: svm=on, once set, is read by that boot's prom_init. The answer to `secure` and its
 * question both ask here.
 */
export function isBootAfterShutdownOf({stage}: Lifecycle): boolean {
  return stage.kind === 'shutting-down' && stage.next === 'cold-boot';
}

/**
 * ' once resumed' where the work under way waits for stopped vCPUs, else '': a shutdown (a
 * kexec's, a power-off's), or a boot paused by `stop` (firmware and kernel run on its vCPUs).
 */
export function onceResumedOf(lifecycle: Lifecycle): string {
  const {stage, vcpu} = lifecycle;
  const isWaiting =
    (stage.kind === 'shutting-down' && (stage.waitsIn !== undefined || vcpu.kind !== 'running')) ||
    (stage.kind === 'booting' && vcpu.kind === 'paused');
  return isWaiting ? ' once resumed' : '';
}

/**
 * When a shutdown that ends in a cold boot is over, in words: a paused guest shuts nothing down
 * until resumed, as onceResumedOf says of a kexec's or a power-off's. The answer to `secure`, its
 * refusal and its question all say these words.
 */
export function shutDownWhenOf(lifecycle: Lifecycle): string {
  return onceResumedOf(lifecycle) ? 'once resumed and shut down' : 'once it has shut down';
}

/**
 * svm=on on its way in this boot: a kexec into the secure kernel (under way or waiting for
 * `cont`), or a kernel started with svm=on that has yet to call UV_ESM (prom_init's
 * setup_secure_guest, torvalds/linux arch/powerpc/kernel/prom_init.c). Wherever the guest then
 * is, it asks that host's ultravisor, so a migration must treat it as secure.
 */
export function isSecurePendingOf(lifecycle: Lifecycle): boolean {
  if (lifecycle.stage.kind === 'booting') return isBootSecureOf(lifecycle);
  return lifecycle.settings.svm && isKexecPendingOf(lifecycle);
}

/**
 * This boot will enter secure mode: its kernel was started with svm=on or, before the kernel
 * starts (firmware, bootloader: `kernelSvm` null), the `svm=` it will read is on. The answer to
 * `secure` (transition.ts svmReadBy) and the migration checks both ask here.
 */
export function isBootSecureOf(lifecycle: Lifecycle): boolean {
  const {stage} = lifecycle;
  return stage.kind === 'booting' && (stage.kernelSvm ?? lifecycle.settings.svm);
}
