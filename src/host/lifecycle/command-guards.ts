import type {Effect, Lifecycle, Transition} from './lifecycle.js';
import {accept, refuse} from './transition-builders.js';

/** Checks and steps more than one of the transition's commands share. */

/** Commands that would pull the guest from under a running migration wait for it (or a cancel). */
export function refuseWhileMigrating(lifecycle: Lifecycle): Transition | null {
  if (!lifecycle.isMigrating) return null;
  return refuse(lifecycle, 'migrating', `${lifecycle.name} is migrating; cancel the migration first`);
}

/**
 * The one rule for a reset the host starts (`r`, `u`, scenario reboot and unsecure, QMP
 * system_reset and x-svmtop-unsecure) on a VM the user paused: it is reset at once and its vCPUs
 * stay stopped, held before its firmware until resumed, as QEMU leaves a VM that was not running
 * in prelaunch after qemu_system_reset (qemu/qemu softmmu/runstate.c main_loop_should_exit). The
 * graceful reboot's drain is guest code that stopped vCPUs cannot run, so none happens: the
 * devices are reset there and then, dropping in-flight I/O. A running VM reboots gracefully; a
 * halted one (even one that panicked while paused) is booted by `r`, held only by system_reset.
 */
export function isResetHeldOf(lifecycle: Lifecycle): boolean {
  return lifecycle.vcpu.kind === 'paused' && lifecycle.stage.kind !== 'halted';
}

/**
 * Resets at once and holds the VM before its firmware, its vCPUs stopped, until resumed: a paused
 * VM (isResetHeldOf), or a halted one that system_reset resets.
 */
export function heldReset(lifecycle: Lifecycle): Transition {
  const how = lifecycle.vcpu.kind === 'paused' ? 'stays paused' : 'held';
  const held: Lifecycle = {
    ...lifecycle,
    vcpu: {kind: 'paused', isHeldAfterReset: true},
    stage: {kind: 'shutting-down', next: 'cold-boot'},
  };
  const effects: Effect[] = [{kind: 'shutdown', why: 'reset', isDrained: true}];
  return accept(held, effects, `reset at once; ${how} before its firmware until resumed`);
}
