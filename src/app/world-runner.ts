import {parseWorldText} from '../host/config/load-world.js';
import {World} from '../host/world.js';
import type {DashboardSource, DashboardView} from '../views/dashboard-model.js';

/** Events the dashboard keeps for its events tab. */
export const DASHBOARD_EVENT_LIMIT = 300;
export const SPEED_MIN = 0.125;
export const SPEED_MAX = 64;

/**
 * Runs a world in wall-clock time for the dashboard: once per refresh it advances the simulation
 * by the elapsed wall time times the speed, then publishes one view. Between refreshes nothing runs.
 */
export class WorldRunner implements DashboardSource {
  world: World;
  speed: number;
  banner: string | null = null;
  notice: string | null = null;
  /** QMP clients connected, when `--qmp` is on. */
  qmpClients: number | undefined = undefined;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #lastWallMs: number;
  #view: DashboardView;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(world: World, options: {readonly speed: number; readonly now?: () => number}) {
    this.world = world;
    this.speed = options.speed;
    this.#now = options.now ?? (() => performance.now());
    this.#lastWallMs = this.#now();
    this.#view = this.#buildView();
  }

  getView = (): DashboardView => this.#view;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Starts ticking every `refreshMs` of wall time. */
  start(refreshMs: number): void {
    this.stop();
    this.#lastWallMs = this.#now();
    this.#timer = setInterval(() => this.tick(), refreshMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Advances by the wall time since the last tick, then publishes. */
  tick(): void {
    const nowMs = this.#now();
    const elapsedMs = Math.max(0, nowMs - this.#lastWallMs);
    this.#lastWallMs = nowMs;
    this.world.advanceBy(Math.round(elapsedMs * 1000 * this.speed));
    this.publish();
  }

  /** Publishes a new view now (after a command, so the screen answers at once). */
  publish(): void {
    this.#view = this.#buildView();
    for (const listener of this.#listeners) listener();
  }

  changeSpeed(factor: number): number {
    this.tick();
    this.speed = Math.min(SPEED_MAX, Math.max(SPEED_MIN, this.speed * factor));
    this.publish();
    return this.speed;
  }

  /** A config file changed: apply it if valid, otherwise show why and keep the running world. */
  reloadConfig(file: string, text: string | null, readError: string | null): void {
    if (text === null) {
      this.banner = `${file}: ${readError ?? 'cannot read file'}`;
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
      banner: this.banner,
      notice: this.notice,
      ...(this.qmpClients !== undefined && {qmpClients: this.qmpClients}),
    });
  }
}

/** What the dashboard shows of a world at this moment. */
export function dashboardViewOf(
  world: World,
  extras: {speed: number; banner: string | null; notice: string | null; qmpClients?: number} = {
    speed: 1,
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
