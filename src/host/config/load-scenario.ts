import {formatConfigError, quoted} from './format-issue.js';
import {loadYamlFile, type LoadResult} from './load-yaml.js';
import {scenarioSchema, type Scenario} from './scenario-schema.js';
import type {WorldConfig} from './world-schema.js';

/** Loads a scenario and checks it against the world it will run in (guest and host names). */
export function loadScenarioFile(file: string, world: WorldConfig): LoadResult<Scenario> {
  const result = loadYamlFile(file, scenarioSchema);
  if (!result.ok) return result;
  const scenario = result.value as Scenario;
  const guests = new Set(world.guests.map((guest) => guest.name));
  const hosts = new Set(world.hosts.map((host) => host.name));
  for (const [index, step] of scenario.steps.entries()) {
    const error = (path: string, message: string) => ({
      ok: false as const,
      error: formatConfigError(file, ['steps', index, path], message),
    });
    if ('vm' in step && step.vm !== undefined && !guests.has(step.vm))
      return error('vm', unknownGuest(step.vm, guests));
    if (step.do === 'migrate' && !hosts.has(step.to)) return error('to', `unknown host ${quoted(step.to)}`);
    if (step.do === 'fault') {
      const needsHosts = step.kind === 'link-down' || step.kind === 'link-up';
      if (needsHosts && !step.hosts) return error('hosts', `a ${step.kind} fault needs hosts: [a, b]`);
      for (const host of step.hosts ?? [])
        if (!hosts.has(host)) return error('hosts', `unknown host ${quoted(host)}`);
      if (!needsHosts && step.vm === undefined) return error('vm', `a ${step.kind} fault needs a vm`);
    }
  }
  for (const [index, expectation] of scenario.expect.entries()) {
    if (expectation.vm !== undefined && !guests.has(expectation.vm))
      return {
        ok: false,
        error: formatConfigError(file, ['expect', index, 'vm'], unknownGuest(expectation.vm, guests)),
      };
    if (expectation.host !== undefined && !hosts.has(expectation.host))
      return {
        ok: false,
        error: formatConfigError(file, ['expect', index, 'host'], `unknown host ${quoted(expectation.host)}`),
      };
  }
  return {ok: true, value: scenario};
}

/** A guest name the world does not have, with the names it has (steps and expect say it alike). */
function unknownGuest(name: string, guests: ReadonlySet<string>): string {
  return `unknown guest ${quoted(name)} (the world has ${[...guests].join(', ')})`;
}
