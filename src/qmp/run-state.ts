import type {VmFacts} from './world-port.js';

/**
 * QEMU's RunState (qapi/run-state.json) of a simulated VM, from its lifecycle's stage and vCPU
 * run state. svmtop's VM is one object that moves between hosts, so it is never `inmigrate` or
 * `postmigrate`; it is `finish-migrate` while a migration's stop-and-copy holds its vCPUs,
 * `shutdown` once powered off (by itself or by the host), `internal-error` when KVM_RUN failed
 * (accel/kvm/kvm-all.c kvm_cpu_exec: "kvm run failed", vm_stop(RUN_STATE_INTERNAL_ERROR)) and
 * `prelaunch` after a system_reset while not running (until `cont`), `guest-panicked` after any other halt
 * (a kernel panic, or os-term after "Switch to secure mode failed.": pseries guests call
 * ibm,os-term, which QEMU reports as a panic, hw/ppc/spapr_rtas.c rtas_ibm_os_term), as with
 * `-no-shutdown` and the default panic action (softmmu/runstate.c qemu_system_guest_panicked).
 */
export type RunState =
  'running' | 'prelaunch' | 'paused' | 'finish-migrate' | 'shutdown' | 'internal-error' | 'guest-panicked';

export function runStateOf(facts: VmFacts): RunState {
  const {haltCause} = facts;
  if (haltCause === 'shutdown' || haltCause === 'power-off') return 'shutdown';
  if (haltCause === 'internal-error') return 'internal-error';
  if (haltCause !== null) return 'guest-panicked';
  // softmmu/runstate.c main_loop_should_exit: reset while not running leaves the VM in prelaunch.
  if (facts.isHeldAfterReset) return 'prelaunch';
  if (facts.isPausedByUser) return 'paused';
  if (facts.vcpu === 'stopped-for-migration') return 'finish-migrate';
  return 'running';
}

/** QEMU's MigrationStatus values (qapi/migration.json) that svmtop's migrations pass through. */
export type QmpMigrationStatus = NonNullable<VmFacts['migrationStatus']>;

/**
 * The snapshot's status is already QEMU's: the ultravisors' key exchange is svmtop's `phase`
 * within `setup` (query-migrate adds `x-svmtop-phase`), and stop-and-copy stays `active`, as QEMU
 * 7.2 enters `device` only with pause-before-switchover (migration/migration.c migration_maybe_pause).
 */
export function qmpMigrationStatus(status: VmFacts['migrationStatus']): QmpMigrationStatus | null {
  return status;
}
