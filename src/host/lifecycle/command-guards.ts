import type {Effect, Lifecycle, Transition} from './lifecycle.js';
import {log, refuse} from './transition-builders.js';

/** Checks and steps more than one of the transition's commands share. */

/** Commands that would pull the guest from under a running migration wait for it (or a cancel). */
export function refuseWhileMigrating(lifecycle: Lifecycle): Transition | null {
  if (!lifecycle.isMigrating) return null;
  return refuse(lifecycle, 'migrating', `${lifecycle.name} is migrating; cancel the migration first`);
}

/** The vCPUs for a reboot: a paused guest is resumed, as one that does not run cannot shut down. */
export function resumedFor(lifecycle: Lifecycle, why: string, effects: Effect[]): Lifecycle['vcpu'] {
  if (lifecycle.vcpu.kind !== 'paused') return lifecycle.vcpu;
  effects.push(log(`resumed for ${why}`));
  return {kind: 'running'};
}
