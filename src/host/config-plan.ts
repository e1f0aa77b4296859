import {formatBytes} from '../core/format-units.js';
import type {GuestConfig, HostConfig, WorldConfig} from './config/world-schema.js';
import {linkKey} from './migration/links.js';

/**
 * Fields a running guest can take without being recreated (they apply now or at its next boot).
 * `launchSecurity` is not one: it is QEMU's command line (confidential-guest-support), so a
 * change starts a new QEMU, as management would.
 */
const LIVE_FIELDS = new Set<keyof GuestConfig>(['workload', 'dmaPolicy', 'svm']);

/** A live change to one running guest. */
export interface LiveGuestChange {
  readonly config: GuestConfig;
  readonly changedFields: readonly (keyof GuestConfig)[];
}

/** What applying a new world to a running one does, in the order the world carries it out. */
export interface ConfigPlan {
  /** Hosts new in this config: built and added. */
  readonly addedHosts: readonly HostConfig[];
  /** Hosts gone from the config: removed once no guest is left on them. */
  readonly removedHosts: readonly string[];
  /** Guests gone from the config: destroyed. */
  readonly removedGuests: readonly string[];
  /** In the new config's order: guests to boot, guests to recreate, guests changed live. */
  readonly guestSteps: readonly GuestStep[];
  /** One line per change, for the event log and the caller. */
  readonly lines: readonly string[];
}

export type GuestStep =
  | {readonly kind: 'add'; readonly config: GuestConfig}
  | ({readonly kind: 'recreate' | 'live'} & LiveGuestChange);

/**
 * Plans a valid new world against the running one: removed guests are destroyed, new ones boot,
 * changed workloads apply at once, policy and `svm` at the next boot, and any other change to a
 * guest's definition recreates it. Hosts are added and removed; a host whose definition changed
 * keeps running as it was (its guests would have to move), which the plan's lines say. Pure.
 */
export function planConfigChange(previous: WorldConfig, next: WorldConfig): ConfigPlan {
  const lines: string[] = [];
  const previousHosts = new Map(previous.hosts.map((host) => [host.name, host]));
  const nextHostNames = new Set(next.hosts.map((host) => host.name));
  const addedHosts = next.hosts.filter((host) => !previousHosts.has(host.name));
  for (const host of previous.hosts) {
    const updated = next.hosts.find((candidate) => candidate.name === host.name);
    if (updated && !sameJson(updated, host))
      lines.push(`host ${host.name}: changes apply when svmtop restarts`);
  }
  lines.push(...linkChanges(previous.links, next.links), ...keyChanges(previous.keys, next.keys));
  const removedHosts = previous.hosts.map((host) => host.name).filter((name) => !nextHostNames.has(name));
  for (const host of addedHosts) lines.push(`host ${host.name} added`);
  for (const name of removedHosts) lines.push(`host ${name} removed`);
  const previousGuests = new Map(previous.guests.map((guest) => [guest.name, guest]));
  const nextGuestNames = new Set(next.guests.map((guest) => guest.name));
  const removedGuests = previous.guests
    .map((guest) => guest.name)
    .filter((name) => !nextGuestNames.has(name));
  for (const name of removedGuests) lines.push(`guest ${name} removed`);
  const guestSteps: GuestStep[] = [];
  for (const config of next.guests) {
    const before = previousGuests.get(config.name);
    const step = planGuest(before, config);
    if (!step) continue;
    guestSteps.push(step);
    lines.push(describeGuestStep(step));
  }
  return {addedHosts, removedHosts, removedGuests, guestSteps, lines};
}

function planGuest(before: GuestConfig | undefined, config: GuestConfig): GuestStep | null {
  if (!before) return {kind: 'add', config};
  const changedFields = (Object.keys(config) as (keyof GuestConfig)[]).filter(
    (key) => !sameJson(config[key], before[key]),
  );
  if (changedFields.length === 0) return null;
  if (changedFields.every((field) => LIVE_FIELDS.has(field))) return {kind: 'live', config, changedFields};
  return {kind: 'recreate', config, changedFields};
}

function describeGuestStep(step: GuestStep): string {
  const {config} = step;
  switch (step.kind) {
    case 'add':
      return `guest ${config.name} added on ${config.host}`;
    case 'live':
      return `guest ${config.name}: ${step.changedFields.join(', ')} changed`;
    case 'recreate':
      return `guest ${config.name} recreated (${step.changedFields.join(', ')} changed)`;
  }
}

/**
 * What a new `links` section changes, as a migration sees it: the default, then each named pair
 * whose bandwidth is not what it was (a pair dropped falls back to the default). The cluster
 * takes the new section whole (Cluster.reconfigure); these lines are the diff of that section.
 */
function linkChanges(before: WorldConfig['links'], after: WorldConfig['links']): string[] {
  const rate = (bytes: number) => `${formatBytes(bytes)}/s`;
  const lines: string[] = [];
  if (before.defaultBandwidth !== after.defaultBandwidth)
    lines.push(`links: default ${rate(before.defaultBandwidth)} -> ${rate(after.defaultBandwidth)}`);
  const pairsOf = (links: WorldConfig['links']) =>
    new Map(links.pairs.map((pair) => [linkKey(pair.hosts[0], pair.hosts[1]), pair.bandwidth]));
  const [old, now] = [pairsOf(before), pairsOf(after)];
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const was = old.get(key) ?? before.defaultBandwidth;
    const is = now.get(key) ?? after.defaultBandwidth;
    if (was !== is)
      lines.push(`links: ${key} ${rate(was)} -> ${rate(is)}${now.has(key) ? '' : ' (the default)'}`);
  }
  return lines;
}

/** Owner keys reach hosts built from now on; running ultravisors keep the keys they started with. */
function keyChanges(before: WorldConfig['keys'], after: WorldConfig['keys']): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = names.filter((name) => before[name] !== after[name]);
  return changed.length === 0
    ? []
    : [
        `keys: ${changed.join(', ')} changed (hosts added from now on trust the new set; running ones keep theirs)`,
      ];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Why a reload takes a guest away. */
export type GuestGoing = 'removed' | 'recreated';

/** Why its migration is abandoned, from why the guest goes (the one place that words it). */
export function migrationGoneBecause(name: string, why: GuestGoing): string {
  return why === 'removed'
    ? `the config reload removes ${name}`
    : `the config reload recreates ${name} (it boots again from its new config)`;
}
