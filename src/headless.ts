import type {WorldEvent} from './core/event-log.js';
import {microsecondsToSeconds} from './core/clock.js';
import {runStep} from './host/command-dispatch.js';
import type {Scenario} from './host/config/scenario-schema.js';
import type {WorldConfig} from './host/config/world-schema.js';
import {checkExpectations} from './host/expectations.js';
import {World} from './host/world.js';

export interface HeadlessOptions {
  readonly config: WorldConfig;
  readonly scenario: Scenario | null;
  readonly seed: number;
  readonly durationUs: number;
  readonly intervalUs: number;
  /** Receives each JSON line (without the newline). */
  readonly write: (line: string) => void;
}

/** Events kept for `event` expectations; a bound like everything else. */
const EXPECTATION_EVENT_LIMIT = 100_000;

/**
 * Runs the world as fast as it can and prints JSON Lines: every event as it happens, a snapshot
 * every interval, and a summary with the expectations last. The same inputs print the same bytes.
 * @returns the exit code: 0 ok, 1 an expectation failed
 */
export function runHeadless(options: HeadlessOptions): number {
  const world = new World(options.config, {seed: options.seed});
  const seen: WorldEvent[] = [];
  world.events.subscribe((event) => {
    if (seen.length < EXPECTATION_EVENT_LIMIT) seen.push(event);
    options.write(
      JSON.stringify({
        type: 'event',
        t: microsecondsToSeconds(event.tUs),
        vm: event.vm,
        kind: event.kind,
        severity: event.severity,
        message: event.message,
      }),
    );
  });
  world.start();
  const steps = [...(options.scenario?.steps ?? [])]
    .filter((step) => step.at <= options.durationUs)
    .sort((a, b) => a.at - b.at);
  let stepIndex = 0;
  let nextSnapshotUs = options.intervalUs;
  for (;;) {
    const nextStepUs = steps[stepIndex]?.at ?? Infinity;
    const nextUs = Math.min(nextStepUs, nextSnapshotUs, options.durationUs);
    world.advanceTo(nextUs);
    while (stepIndex < steps.length && steps[stepIndex]!.at === nextUs) runStep(world, steps[stepIndex++]!);
    if (nextUs === nextSnapshotUs && nextUs < options.durationUs) {
      const snapshot = world.getSnapshot();
      options.write(
        JSON.stringify({
          type: 'snapshot',
          t: microsecondsToSeconds(nextUs),
          hosts: snapshot.hosts,
          vms: snapshot.vms,
        }),
      );
      nextSnapshotUs += options.intervalUs;
    }
    if (nextUs >= options.durationUs) break;
  }
  const snapshot = world.getSnapshot();
  const expectations = checkExpectations(options.scenario?.expect ?? [], snapshot, seen);
  options.write(
    JSON.stringify({
      type: 'summary',
      t: microsecondsToSeconds(world.nowUs),
      seed: options.seed,
      hosts: snapshot.hosts,
      vms: snapshot.vms,
      expectations,
    }),
  );
  return expectations.every((result) => result.ok) ? 0 : 1;
}
