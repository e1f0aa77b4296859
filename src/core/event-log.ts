import type {Microseconds} from './clock.js';

export type Severity = 'info' | 'warning' | 'error';

/** One line of the world's log, as the headless mode prints it. */
export interface WorldEvent {
  readonly tUs: Microseconds;
  /** The guest it concerns, or null for host- and cluster-wide events. */
  readonly vm: string | null;
  /** A short machine-readable category such as `boot`, `swiotlb-full`, `virtio-error`. */
  readonly kind: string;
  readonly severity: Severity;
  readonly message: string;
  /** Who asked for it when not the keyboard or a scenario, e.g. `qmp#3` (a QMP client). */
  readonly origin?: string;
}

export type EventListener = (event: WorldEvent) => void;

export const EVENT_LOG_CAPACITY_DEFAULT = 2_000;

/** A bounded log: keeps the latest `capacity` events, counts everything, notifies listeners. */
export class EventLog {
  readonly capacity: number;
  #ring: WorldEvent[] = [];
  #start = 0;
  #listeners = new Set<EventListener>();
  #total = 0;
  readonly countsBySeverity: Record<Severity, number> = {info: 0, warning: 0, error: 0};

  constructor(capacity = EVENT_LOG_CAPACITY_DEFAULT) {
    this.capacity = capacity;
  }

  /** Events ever appended, including those that fell out of the ring. */
  get totalCount(): number {
    return this.#total;
  }

  append(event: WorldEvent): void {
    this.#total++;
    this.countsBySeverity[event.severity]++;
    if (this.#ring.length < this.capacity) {
      this.#ring.push(event);
    } else {
      this.#ring[this.#start] = event;
      this.#start = (this.#start + 1) % this.capacity;
    }
    for (const listener of this.#listeners) listener(event);
  }

  /** The newest `limit` events, oldest first, optionally only those of one guest. */
  recent(limit: number, vm?: string): WorldEvent[] {
    const ordered = this.#ring.slice(this.#start).concat(this.#ring.slice(0, this.#start));
    const filtered = vm === undefined ? ordered : ordered.filter((event) => event.vm === vm);
    return filtered.slice(Math.max(0, filtered.length - limit));
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
