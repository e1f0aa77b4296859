import {stepSpeed} from '../core/speed-range.js';
import {parseWorldText} from '../host/config/load-world.js';
import type {World} from '../host/world.js';
import type {DashboardSource, DashboardView} from '../views/dashboard-model.js';

/** Events the dashboard keeps for its events tab. */
export const DASHBOARD_EVENT_LIMIT = 300;
/** Wall time one slice of simulation may take before input and rendering get the loop back. */
export const SLICE_BUDGET_MS = 20;
/** Simulated time owed beyond this many refreshes is dropped: the simulation falls behind, openly. */
const DEBT_REFRESHES_MAX = 2;
/** Simulated step of one `advanceBy` call: adapted so a step takes a fraction of the budget. */
const STEP_US_MIN = 1_000;
const STEP_US_MAX = 60_000_000;
/** Refreshes the achieved speed is averaged over. */
const SPEED_WINDOW = 4;

/** The wall clock and the timers the runner uses (injected in tests). */
export interface RunnerClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: RunnerClock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs a world in wall-clock time for the dashboard. Every refresh it adds the elapsed wall time
 * times the speed to what the simulation owes, publishes a view, and pays the debt in slices of at
 * most SLICE_BUDGET_MS of wall time each, yielding to the event loop between slices so keys,
 * signals and frames are never starved. When it cannot keep up it drops what it owes beyond two
 * refreshes and says so: the view carries the speed asked and the speed achieved.
 */
export class WorldRunner implements DashboardSource {
  world: World;
  speed: number;
  banner: string | null = null;
  notice: string | null = null;
  /** QMP clients connected, when `--qmp` is on (the header shows it). */
  qmpClients: number | undefined = undefined;
  readonly #clock: RunnerClock;
  /** With QMP clients to serve: also pay the debt this often between refreshes (see `start`). */
  readonly #paceMs: number | undefined;
  #paceTimer: unknown;
  readonly #listeners = new Set<() => void>();
  #refreshMs = 1000;
  #lastWallMs: number;
  #owedUs = 0;
  #stepUs = 10_000;
  #frameTimer: unknown;
  #sliceTimer: unknown;
  /**
   * Simulated time owed and paid in each of the last refreshes, for the achieved speed. A ratio of
   * the two, not simulated over wall time: what a refresh owes is for the wall time before it, so after a
   * speed change or a stop (ctrl-z) simulated over wall time measures the old speed or the pause.
   */
  readonly #window: Array<{owedUs: number; paidUs: number}> = [];
  #frameOwedUs = 0;
  #framePaidUs = 0;
  #view: DashboardView;

  constructor(
    world: World,
    options: {readonly speed: number; readonly clock?: RunnerClock; readonly paceMs?: number},
  ) {
    this.world = world;
    this.speed = options.speed;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#paceMs = options.paceMs;
    this.#lastWallMs = this.#clock.now();
    this.#view = this.#buildView();
  }

  getView = (): DashboardView => this.#view;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * Starts refreshing every `refreshMs` of wall time. With `paceMs` (QMP on) the simulation also
   * advances every `paceMs` between refreshes, unpublished, so that QMP clients hear what happens
   * within about that much wall time rather than a refresh later.
   */
  start(refreshMs: number): void {
    this.stop();
    this.#refreshMs = refreshMs;
    this.#lastWallMs = this.#clock.now();
    this.#frameOwedUs = 0;
    this.#framePaidUs = 0;
    this.#scheduleFrame();
    this.#schedulePace();
  }

  /** Stops every timer: nothing runs after this returns. */
  stop(): void {
    for (const timer of [this.#frameTimer, this.#sliceTimer, this.#paceTimer])
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    this.#frameTimer = undefined;
    this.#sliceTimer = undefined;
    this.#paceTimer = undefined;
  }

  get isRunning(): boolean {
    return this.#frameTimer !== undefined;
  }

  #scheduleFrame(): void {
    this.#frameTimer = this.#clock.setTimeout(() => {
      this.tick();
      this.#scheduleFrame();
    }, this.#refreshMs);
  }

  #schedulePace(): void {
    if (this.#paceMs === undefined) return;
    this.#paceTimer = this.#clock.setTimeout(() => {
      this.#owe(this.#clock.now());
      if (this.#sliceTimer === undefined) this.#slice();
      this.#schedulePace();
    }, this.#paceMs);
  }

  /** One refresh: owe the elapsed time, publish, and pay what one slice can. */
  tick(): void {
    // A refresh that owed nothing (the first) measures no speed (not 0x).
    if (this.#frameOwedUs > 0) {
      this.#window.push({owedUs: this.#frameOwedUs, paidUs: this.#framePaidUs});
      if (this.#window.length > SPEED_WINDOW) this.#window.shift();
    }
    this.#frameOwedUs = 0;
    this.#framePaidUs = 0;
    this.#owe(this.#clock.now());
    // A slice already waiting to run pays the new debt too; one chain of slices at a time.
    if (this.#sliceTimer === undefined) this.#slice();
    this.publish();
  }

  /** Adds the wall time since the last look, times the speed, to what the simulation owes (capped). */
  #owe(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.#lastWallMs);
    this.#lastWallMs = nowMs;
    const debtMaxUs = this.#refreshMs * 1000 * this.speed * DEBT_REFRESHES_MAX;
    const addedUs = elapsedMs * 1000 * this.speed;
    // A gap longer than the cap is the process stopped (ctrl-z), not the simulation slow: unmeasured.
    this.#frameOwedUs += Math.min(addedUs, debtMaxUs);
    this.#owedUs = Math.min(debtMaxUs, this.#owedUs + addedUs);
  }

  /** Advances by what is owed, for at most SLICE_BUDGET_MS; the rest in later slices. */
  #slice(): void {
    this.#sliceTimer = undefined;
    const startMs = this.#clock.now();
    while (this.#owedUs >= 1) {
      const stepUs = Math.min(this.#owedUs, this.#stepUs);
      const beforeMs = this.#clock.now();
      this.world.advanceBy(Math.round(stepUs));
      const spentMs = this.#clock.now() - beforeMs;
      this.#owedUs -= stepUs;
      this.#framePaidUs += stepUs;
      // Aim one step at a quarter of the budget, so a slice ends close to it.
      const scale = spentMs > 0 ? SLICE_BUDGET_MS / 4 / spentMs : 2;
      this.#stepUs = Math.max(STEP_US_MIN, Math.min(STEP_US_MAX, stepUs * Math.min(2, scale)));
      if (this.#clock.now() - startMs >= SLICE_BUDGET_MS) break;
    }
    if (this.#owedUs >= 1) this.#sliceSoon();
  }

  /** Runs a slice on the loop's next turn, unless one is already waiting or the runner is stopped. */
  #sliceSoon(): void {
    if (this.#sliceTimer === undefined && this.#frameTimer !== undefined)
      this.#sliceTimer = this.#clock.setTimeout(() => this.#slice(), 0);
  }

  /** The speed asked times the share of the time owed that was simulated over the last refreshes; null before any was measured. */
  get achievedSpeed(): number | null {
    let owedUs = 0;
    let paidUs = 0;
    for (const sample of this.#window) {
      owedUs += sample.owedUs;
      paidUs += sample.paidUs;
    }
    return owedUs > 0 ? (this.speed * paidUs) / owedUs : null;
  }

  /** Publishes a new view now (after a command, so the screen answers at once). */
  publish(): void {
    this.#view = this.#buildView();
    for (const listener of this.#listeners) listener();
  }

  changeSpeed(factor: number): number {
    // Time since the last refresh was owed at the old speed (and counts in this refresh's share).
    this.#owe(this.#clock.now());
    this.#sliceSoon();
    this.speed = stepSpeed(this.speed, factor);
    this.#window.length = 0;
    this.publish();
    return this.speed;
  }

  /** A config file changed: apply it if valid, otherwise show why and keep the running world. */
  reloadConfig(file: string, text: string | null, readError: string | null): void {
    if (text === null) {
      // Logged as an invalid file is: a deleted or unreadable config is a failed reload too.
      this.banner = `${file}: ${readError ?? 'cannot read file'}`;
      this.world.emit(null, 'config', 'error', `config not applied: ${this.banner}`);
      this.publish();
      return;
    }
    const parsed = parseWorldText(file, text);
    if (!parsed.ok) {
      this.banner = parsed.error;
      this.world.emit(null, 'config', 'error', `config not applied: ${parsed.error}`);
    } else {
      this.banner = null;
      const changes = this.world.applyConfig(parsed.value);
      if (changes.length === 0) this.world.emit(null, 'config', 'info', 'config reloaded: no change');
    }
    this.publish();
  }

  #buildView(): DashboardView {
    return dashboardViewOf(this.world, {
      speed: this.speed,
      achievedSpeed: this.achievedSpeed,
      banner: this.banner,
      notice: this.notice,
      ...(this.qmpClients !== undefined && {qmpClients: this.qmpClients}),
    });
  }
}

/** What the dashboard shows of a world at this moment. */
export function dashboardViewOf(
  world: World,
  extras: Pick<DashboardView, 'speed' | 'achievedSpeed' | 'banner' | 'notice' | 'qmpClients'> = {
    speed: 1,
    achievedSpeed: 1,
    banner: null,
    notice: null,
  },
): DashboardView {
  return {
    world: world.getSnapshot({withHistory: true}),
    events: world.events.recent(DASHBOARD_EVENT_LIMIT),
    ...extras,
  };
}
