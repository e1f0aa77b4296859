import {invariantBroken} from '../core/assert.js';
import type {Severity} from '../core/event-log.js';
import type {CommandParts} from './command-dispatch.js';
import {planConfigChange, type GuestGoing} from './config-plan.js';
import type {GuestConfig, WorldConfig} from './config/world-schema.js';
import type {Guest} from './guest.js';

/** What carrying out a live reload needs of the world besides its parts (a `World` is one). */
export interface ReloadTarget {
  readonly guests: ReadonlyMap<string, Guest>;
  addGuest(config: GuestConfig): Guest;
  removeGuest(name: string, why?: GuestGoing): void;
  emit(vm: string | null, kind: string, severity: Severity, message: string): void;
}

/**
 * Carries out a new, valid config on the running world in the order `planConfigChange` decides:
 * hosts added, guests removed, then each guest booted, recreated or changed live, hosts removed
 * last (their migrations failed first). Logs and returns the plan's lines.
 */
export function reloadConfig(
  world: ReloadTarget,
  {cluster, migrations}: CommandParts,
  from: WorldConfig,
  to: WorldConfig,
): string[] {
  const plan = planConfigChange(from, to);
  cluster.reconfigure(to);
  for (const host of plan.addedHosts) cluster.addHost(host);
  for (const name of plan.removedGuests) world.removeGuest(name);
  for (const step of plan.guestSteps) {
    if (step.kind === 'add') world.addGuest(step.config).start();
    else if (step.kind === 'recreate') {
      world.removeGuest(step.config.name, 'recreated');
      world.addGuest(step.config).start();
    } else runningGuest(world, step.config.name).applyLiveConfig(step.config, step.changedFields);
  }
  for (const name of plan.removedHosts) {
    const host = cluster.hosts.get(name)!;
    migrations.failInvolving(host, `host ${name} was removed from the config`);
    cluster.removeHost(name, world.guests.values());
  }
  for (const line of plan.lines) world.emit(null, 'config', 'info', `config reloaded: ${line}`);
  return [...plan.lines];
}

function runningGuest(world: ReloadTarget, name: string): Guest {
  return world.guests.get(name) ?? invariantBroken(`world: live change for ${name}, which does not run`);
}
