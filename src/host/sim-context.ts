import {EventLog, type Severity} from '../core/event-log.js';
import {Rng} from '../core/rng.js';
import {Scheduler} from '../core/scheduler.js';

/** What every simulated part needs from the world: time, randomness and the log. */
export interface SimContext {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Appends an event; `vm` is null for host- and cluster-wide events. */
  emit(vm: string | null, kind: string, severity: Severity, message: string): void;
}

/** The simulation's shared context: one scheduler, one seeded RNG, one bounded event log. */
export class Simulation implements SimContext {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly events: EventLog;
  /** Set while a command from another origin (a QMP client) runs; the events it causes carry it. */
  #origin: string | undefined;

  constructor(seed: number, eventLogCapacity?: number) {
    this.rng = new Rng(seed);
    this.events = new EventLog(eventLogCapacity);
  }

  emit(vm: string | null, kind: string, severity: Severity, message: string): void {
    const tUs = this.scheduler.nowUs;
    const origin = this.#origin;
    this.events.append(
      origin === undefined ? {tUs, vm, kind, severity, message} : {tUs, vm, kind, severity, message, origin},
    );
  }

  /** Runs `run` on behalf of `origin` (e.g. `qmp#3`): every event logged meanwhile names it. */
  runWithOrigin<T>(origin: string, run: () => T): T {
    const previous = this.#origin;
    this.#origin = origin;
    try {
      return run();
    } finally {
      this.#origin = previous;
    }
  }
}
