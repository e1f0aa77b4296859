import type {GuestConfig, WorldConfig} from './config/world-schema.js';
import type {World} from './world.js';

/** Fields a running guest can take without being recreated (they apply now or at its next boot). */
const LIVE_FIELDS = new Set<keyof GuestConfig>(['workload', 'dmaPolicy', 'svm', 'launchSecurity']);

/**
 * Applies a valid new world to a running one: removed guests are destroyed, new ones boot,
 * changed workloads apply at once, policy and `svm` at the next boot, and any other change to
 * a guest's definition recreates that guest. Hosts are added; a changed host keeps running as
 * it was (its guests would have to move), which the returned lines say.
 * @returns one line per change, for the event log
 */
export function applyConfigChange(world: World, next: WorldConfig): string[] {
  const changes: string[] = [];
  const previous = world.config;
  world.replaceHosts(next);
  for (const host of previous.hosts) {
    const updated = next.hosts.find((candidate) => candidate.name === host.name);
    if (updated && JSON.stringify(updated) !== JSON.stringify(host))
      changes.push(`host ${host.name}: changes apply when svmtop restarts`);
  }
  const nextNames = new Set(next.guests.map((guest) => guest.name));
  for (const name of [...world.guests.keys()]) {
    if (!nextNames.has(name)) {
      world.removeGuest(name);
      changes.push(`guest ${name} removed`);
    }
  }
  for (const config of next.guests) {
    const guest = world.guests.get(config.name);
    if (!guest) {
      world.addGuest(config).start();
      changes.push(`guest ${config.name} added on ${config.host}`);
      continue;
    }
    const before = previous.guests.find((candidate) => candidate.name === config.name);
    if (!before) continue;
    const changedFields = (Object.keys(config) as (keyof GuestConfig)[]).filter(
      (key) => JSON.stringify(config[key]) !== JSON.stringify(before[key]),
    );
    if (changedFields.length === 0) continue;
    if (changedFields.every((field) => LIVE_FIELDS.has(field))) {
      if (changedFields.includes('workload')) guest.setWorkload(config.workload);
      if (changedFields.includes('dmaPolicy')) guest.setDmaPolicy(config.dmaPolicy);
      if (changedFields.includes('svm')) guest.dispatch({type: 'set-svm', svm: config.svm});
      guest.setLaunchSecurity(config.launchSecurity);
      changes.push(`guest ${config.name}: ${changedFields.join(', ')} changed`);
      continue;
    }
    world.removeGuest(config.name);
    world.addGuest(config).start();
    changes.push(`guest ${config.name} recreated (${changedFields.join(', ')} changed)`);
  }
  for (const change of changes) world.emit(null, 'config', 'info', `config reloaded: ${change}`);
  return changes;
}
