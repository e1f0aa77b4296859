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

  constructor(seed: number, eventLogCapacity?: number) {
    this.rng = new Rng(seed);
    this.events = new EventLog(eventLogCapacity);
  }

  emit(vm: string | null, kind: string, severity: Severity, message: string): void {
    this.events.append({tUs: this.scheduler.nowUs, vm, kind, severity, message});
  }
}
