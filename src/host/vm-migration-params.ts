import type {Guest} from './guest.js';
import {MIGRATION_DEFAULTS, type MigrationParams} from './migration/migration-params.js';

/**
 * Each VM's one set of migration parameters and capabilities, asked by the dashboard, the scenario
 * and QMP alike: QEMU keeps one set per instance, in force for a running migration and kept for the
 * next (qemu/qemu migration/options.c migrate_params_apply, qmp_query_migrate_parameters). Keyed by
 * the guest object, so a VM recreated by a config reload starts from the defaults, as a new QEMU
 * does. Simplification: the set stays with the VM across a completed migration (a real destination
 * QEMU has its own, which management sets).
 */
const paramsByGuest = new WeakMap<Guest, MigrationParams>();

export function vmMigrationParams(guest: Guest): MigrationParams {
  return paramsByGuest.get(guest) ?? MIGRATION_DEFAULTS;
}

export function setVmMigrationParams(guest: Guest, params: MigrationParams): void {
  paramsByGuest.set(guest, params);
}
