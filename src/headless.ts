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
  const run = new HeadlessRun(options);
  run.advanceTo(options.durationUs);
  return run.finish();
}

/** One headless run, advanced by its caller: at once (runHeadless) or paced to the wall clock (--qmp). */
export class HeadlessRun {
  readonly world: World;
  readonly #options: HeadlessOptions;
  readonly #seen: WorldEvent[] = [];
  readonly #steps: Scenario['steps'];
  #stepIndex = 0;
  #nextSnapshotUs: number;

  constructor(options: HeadlessOptions) {
    this.#options = options;
    const world = new World(options.config, {seed: options.seed});
    this.world = world;
    world.events.subscribe((event) => {
      if (this.#seen.length < EXPECTATION_EVENT_LIMIT) this.#seen.push(event);
      options.write(
        JSON.stringify({
          type: 'event',
          t: microsecondsToSeconds(event.tUs),
          vm: event.vm,
          kind: event.kind,
          severity: event.severity,
          message: event.message,
          ...(event.origin !== undefined && {origin: event.origin}),
        }),
      );
    });
    world.start();
    this.#steps = [...(options.scenario?.steps ?? [])]
      .filter((step) => step.at <= options.durationUs)
      .sort((a, b) => a.at - b.at);
    this.#nextSnapshotUs = options.intervalUs;
  }

  /** Runs to `targetUs` (at most the duration): scenario steps at their times, snapshots at each interval. */
  advanceTo(targetUs: number): void {
    const {world} = this;
    const options = this.#options;
    const steps = this.#steps;
    for (;;) {
      const nextStepUs = steps[this.#stepIndex]?.at ?? Infinity;
      const nextUs = Math.min(nextStepUs, this.#nextSnapshotUs, targetUs);
      world.advanceTo(nextUs);
      while (this.#stepIndex < steps.length && steps[this.#stepIndex]!.at === nextUs)
        runStep(world, steps[this.#stepIndex++]!);
      if (nextUs === this.#nextSnapshotUs && nextUs < options.durationUs) {
        const snapshot = world.getSnapshot();
        options.write(
          JSON.stringify({
            type: 'snapshot',
            t: microsecondsToSeconds(nextUs),
            hosts: snapshot.hosts,
            vms: snapshot.vms,
          }),
        );
        this.#nextSnapshotUs += options.intervalUs;
      }
      if (nextUs >= targetUs) break;
    }
  }

  /** Prints the summary with the expectations; returns the exit code. */
  finish(): number {
    const snapshot = this.world.getSnapshot();
    const expectations = checkExpectations(this.#options.scenario?.expect ?? [], snapshot, this.#seen);
    this.#options.write(
      JSON.stringify({
        type: 'summary',
        t: microsecondsToSeconds(this.world.nowUs),
        seed: this.#options.seed,
        hosts: snapshot.hosts,
        vms: snapshot.vms,
        expectations,
      }),
    );
    return expectations.every((result) => result.ok) ? 0 : 1;
  }
}
