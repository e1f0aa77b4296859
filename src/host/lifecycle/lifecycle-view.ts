import type {SecurityPhase, SecurityState, VmState} from '../snapshot-types.js';
import type {Lifecycle} from './lifecycle.js';

/** The snapshot's `state`: halted, then stopped vCPUs, then a migration, then the stage. */
export function vmStateOf(lifecycle: Lifecycle): VmState {
  if (lifecycle.stage.kind === 'halted') return 'halted';
  if (lifecycle.vcpu.kind !== 'running') return 'paused';
  if (lifecycle.isMigrating) return 'migrating';
  return lifecycle.stage.kind === 'running' ? 'running' : 'booting';
}

export function securityStateOf(lifecycle: Lifecycle): SecurityState {
  const {stage} = lifecycle;
  if (stage.kind === 'entering-secure') return 'transitioning';
  if (lifecycle.isSvm) return 'secure';
  if (stage.kind === 'halted' && stage.cause === 'os-term' && lifecycle.lastFailure) return 'failed';
  return 'normal';
}

/** The snapshot's `phase`: the boot or secure step, else what the guest is doing. */
export function securityPhaseOf(lifecycle: Lifecycle): SecurityPhase {
  const {stage} = lifecycle;
  switch (stage.kind) {
    case 'off':
      return 'firmware';
    case 'booting':
    case 'entering-secure':
      return stage.step;
    case 'running':
      return lifecycle.isSvm ? 'secure' : 'running';
    case 'shutting-down':
      return 'shutdown';
    case 'halted':
      return 'halted';
  }
}

/** How far the current phase is: conversion's share of pages, 1 once running, else 0. */
export function progressOf(lifecycle: Lifecycle): number {
  const {stage} = lifecycle;
  if (stage.kind === 'entering-secure') return stage.progress;
  return stage.kind === 'running' ? 1 : 0;
}

/**
 * The guest's memory is protected from the host from the moment it starts entering secure mode
 * until UV_SVM_TERMINATE: QEMU must not count on discarding its pages (balloon), and a migration
 * must treat it as secure.
 */
export function isProtectedOf(lifecycle: Lifecycle): boolean {
  return lifecycle.isSvm || lifecycle.stage.kind === 'entering-secure';
}
