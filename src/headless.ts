import {setImmediate as nextTurn} from 'node:timers/promises';
import type {WorldEvent} from './core/event-log.js';
import {microsecondsToSeconds} from './core/clock.js';
import {toJson} from './core/exact-json.js';
import {runStep} from './host/command-dispatch.js';
import type {Scenario, ScenarioStep} from './host/config/scenario-schema.js';
import type {RefusalCode} from './host/lifecycle/lifecycle.js';
import type {WorldConfig} from './host/config/world-schema.js';
import {
  checkExpectations,
  expectationPathProblem,
  expectationPathProblems,
  type ExpectationResult,
} from './host/expectations.js';
import {World} from './host/world.js';

export interface HeadlessOptions {
  readonly config: WorldConfig;
  readonly scenario: Scenario | null;
  readonly seed: number;
  readonly durationUs: number;
  readonly intervalUs: number;
  /** Receives each JSON line (without the newline). */
  readonly write: (line: string) => void;
  /** Told of each expectation that failed, after the summary is written. */
  readonly onExpectationFailed?: (result: ExpectationResult) => void;
  /**
   * Told of each expectation whose path names no snapshot field (bad input), instead: when the run
   * is made (the world as built; the run then does nothing), or at the end for a path through
   * what was null then.
   */
  readonly onBadExpectationPath?: (index: number, problem: string) => void;
  /** Told of each scenario step the host refuses, when it does (the summary lists them too). */
  readonly onStepRefused?: (refused: RefusedStep) => void;
}

/**
 * A scenario step the host refused, as the summary's `refusedSteps` lists it: its index in the
 * file's `steps`, its time, what it did to which VM (null for a link fault), and the host's answer.
 */
export interface RefusedStep {
  readonly index: number;
  readonly t: number;
  readonly do: ScenarioStep['do'];
  readonly vm: string | null;
  readonly code: RefusalCode;
  readonly reason: string;
}

/** One stderr line for a refused step: which step, when, and the host's answer with its code. */
export function describeRefusedStep(refused: RefusedStep): string {
  const what = refused.vm === null ? refused.do : `${refused.do} ${refused.vm}`;
  return `steps[${refused.index}] at ${refused.t}s, ${what}: ${refused.reason} (${refused.code})`;
}

/** Events kept for `event` expectations; a bound like everything else. */
const EXPECTATION_EVENT_LIMIT = 100_000;

/**
 * The most simulated time run before the reader is looked at again: output between two looks is
 * what one simulated second prints (about 14 KiB for the default world), however long the interval.
 */
export const HEADLESS_SLICE_US = 1_000_000;

/**
 * A headless run taken one slice at a time, so that its caller can wait for a slow reader in
 * between. Prints every event as it happens, a snapshot every interval, and a summary with the
 * expectations last; the same inputs print the same bytes however the run is sliced.
 */
export class HeadlessRun {
  readonly #options: HeadlessOptions;
  readonly #world: World;
  readonly #seen: WorldEvent[] = [];
  /** The steps in time order, each with its index in the file. */
  readonly #steps: {readonly step: ScenarioStep; readonly index: number}[];
  readonly #refused: RefusedStep[] = [];
  #stepIndex = 0;
  #nextSnapshotUs: number;
  #exitCode: number | undefined;

  constructor(options: HeadlessOptions) {
    this.#options = options;
    this.#world = new World(options.config, {seed: options.seed});
    this.#steps = (options.scenario?.steps ?? [])
      .map((step, index) => ({step, index}))
      .filter(({step}) => step.at <= options.durationUs)
      .sort((a, b) => a.step.at - b.step.at);
    this.#nextSnapshotUs = options.intervalUs;
    if (this.#hasBadPaths()) {
      this.#exitCode = 2;
      return;
    }
    this.#world.events.subscribe((event) => {
      if (this.#seen.length < EXPECTATION_EVENT_LIMIT) this.#seen.push(event);
      options.write(
        JSON.stringify({
          type: 'event',
          t: microsecondsToSeconds(event.tUs),
          vm: event.vm,
          kind: event.kind,
          severity: event.severity,
          message: event.message,
          // Only with --qmp: a QMP client's command (nothing else sets an origin).
          ...(event.origin !== undefined && {origin: event.origin}),
        }),
      );
    });
    this.#world.start();
  }

  /**
   * Bad input before the run rather than after it: the expectation paths that name nothing in the
   * world as built (a field, or an element of a VM's devices), each told as the end of a run tells them.
   */
  #hasBadPaths(): boolean {
    const expectations = this.#options.scenario?.expect ?? [];
    if (!expectations.some((expectation) => expectation.path !== undefined)) return false;
    const problems = expectationPathProblems(expectations, this.#world.getSnapshot());
    for (const {index, problem} of problems) this.#options.onBadExpectationPath?.(index, problem);
    return problems.length > 0;
  }

  /**
   * The exit code once finished: 0 ok, 1 an expectation failed, 2 an expectation's path names no
   * snapshot field (bad input: set at once when the world as built shows it); undefined while running.
   */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  /** The world it runs (for --qmp, whose monitors drive it between steps). */
  get world(): World {
    return this.#world;
  }

  /**
   * Runs up to HEADLESS_SLICE_US of simulated time, and not past `untilUs`: steps, snapshots and
   * at the end the summary.
   * @returns true when the run has finished
   */
  step(untilUs = Infinity): boolean {
    if (this.#exitCode !== undefined) return true;
    const world = this.#world;
    const {durationUs} = this.#options;
    const sliceEndUs = Math.min(world.nowUs + HEADLESS_SLICE_US, durationUs, untilUs);
    for (;;) {
      const nextStepUs = this.#steps[this.#stepIndex]?.step.at ?? Infinity;
      const nextUs = Math.min(nextStepUs, this.#nextSnapshotUs, sliceEndUs);
      world.advanceTo(nextUs);
      while (this.#steps[this.#stepIndex]?.step.at === nextUs) this.#runStep(this.#steps[this.#stepIndex++]!);
      if (nextUs === this.#nextSnapshotUs && nextUs < durationUs) {
        this.#writeSnapshot(nextUs);
        this.#nextSnapshotUs += this.#options.intervalUs;
      }
      if (nextUs >= durationUs) return this.#finish();
      if (nextUs >= sliceEndUs) return false;
    }
  }

  #runStep({step, index}: {readonly step: ScenarioStep; readonly index: number}): void {
    const result = runStep(this.#world, step);
    if (result.ok) return;
    const refused: RefusedStep = {
      index,
      t: microsecondsToSeconds(step.at),
      do: step.do,
      vm: step.vm ?? null,
      code: result.code,
      reason: result.reason,
    };
    this.#refused.push(refused);
    this.#options.onStepRefused?.(refused);
  }

  #writeSnapshot(timeUs: number): void {
    const snapshot = this.#world.getSnapshot();
    // toJson: a QMP client's max-bandwidth above 2^53 is a bigint, written as its exact integer.
    this.#options.write(
      toJson({
        type: 'snapshot',
        t: microsecondsToSeconds(timeUs),
        hosts: snapshot.hosts,
        vms: snapshot.vms,
      }),
    );
  }

  /** Ends the run now, before its duration (on a stop signal): the summary at this instant. */
  finish(): number {
    if (this.#exitCode === undefined) this.#finish();
    return this.#exitCode!;
  }

  #finish(): true {
    const snapshot = this.#world.getSnapshot();
    const expectations = checkExpectations(this.#options.scenario?.expect ?? [], snapshot, this.#seen);
    this.#options.write(
      toJson({
        type: 'summary',
        t: microsecondsToSeconds(this.#world.nowUs),
        seed: this.#options.seed,
        hosts: snapshot.hosts,
        vms: snapshot.vms,
        expectations,
        // Only when a step was refused: a run without refusals prints the summary it always did.
        ...(this.#refused.length > 0 && {refusedSteps: this.#refused}),
      }),
    );
    let isBadInput = false;
    for (const [index, result] of expectations.entries()) {
      if (result.ok) continue;
      const problem = expectationPathProblem(this.#options.scenario!.expect[index]!, snapshot);
      if (problem === null) this.#options.onExpectationFailed?.(result);
      else this.#options.onBadExpectationPath?.(index, problem);
      isBadInput ||= problem !== null;
    }
    this.#exitCode = isBadInput ? 2 : expectations.every((result) => result.ok) ? 0 : 1;
    return true;
  }
}

/**
 * Runs the world as fast as it can, all at once (for tests and callers that collect lines).
 * @returns the exit code: 0 ok, 1 an expectation failed, 2 a path that names no field
 */
export function runHeadless(options: HeadlessOptions): number {
  const run = new HeadlessRun(options);
  while (!run.step());
  return run.exitCode!;
}

/**
 * Runs the world as fast as its reader takes the output: after each slice it awaits `backlog()`
 * when that returns a promise (the reader is behind), so memory stays bounded for any duration.
 * With `stop`, it also gives the event loop a turn after each slice so a signal's handler can run
 * (stdout to a file or a pipe is written synchronously on Linux, so there may be nothing to await),
 * and once `stop` is aborted it writes the summary at that instant.
 * @returns the exit code: 0 ok, 1 an expectation failed, 2 a path that names no field
 */
export async function runHeadlessPaced(
  options: HeadlessOptions,
  backlog: () => Promise<void> | undefined,
  stop?: AbortSignal,
): Promise<number> {
  const run = new HeadlessRun(options);
  while (!stop?.aborted && !run.step()) {
    const wait = backlog() ?? (stop && nextTurn());
    if (wait) await wait;
  }
  return run.finish();
}
