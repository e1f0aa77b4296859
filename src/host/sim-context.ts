import type {Severity} from '../core/event-log.js';
import type {Rng} from '../core/rng.js';
import type {Scheduler} from '../core/scheduler.js';

/** What every simulated part needs from the world: time, randomness and the log. */
export interface SimContext {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Appends an event; `vm` is null for host- and cluster-wide events. */
  emit(vm: string | null, kind: string, severity: Severity, message: string): void;
}
