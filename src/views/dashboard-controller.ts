import type {DashboardCommands, DashboardPreferences, DashboardSource} from './dashboard-model.js';
import type {Effect, Intent} from './dashboard-intents.js';
import {transition} from './dashboard-reducer.js';
import {initialDashboardState, type DashboardState, type TerminalSize} from './dashboard-state.js';

/** Intents handled in one `send` at most: a bound on a loop of effects feeding intents. */
const INTENTS_PER_SEND_MAX = 1_000;

/**
 * Owns the dashboard's state (XState's actor model in miniature): intents go through the pure
 * reducer one at a time, in arrival order, and the effects it asks for (a dry run, a command,
 * quitting) run at once, their answers queued as intents. Ink's `useInput` calls arrive
 * synchronously for a burst of keys, so a command a key asked for has changed the world (and the
 * snapshot the next key reads) before the next key is handled. React reads the state through
 * `subscribe` and `getState` (`useSyncExternalStore`).
 */
export class DashboardController {
  #state: DashboardState;
  readonly #commands: DashboardCommands;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  readonly #queue: Intent[] = [];
  #isHandling = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: {
    readonly source: DashboardSource;
    readonly commands: DashboardCommands;
    readonly size: TerminalSize;
    readonly preferences?: Partial<DashboardPreferences> | undefined;
    /** Wall clock in milliseconds (status messages age out). */
    readonly now: () => number;
  }) {
    this.#commands = options.commands;
    this.#now = options.now;
    this.#state = initialDashboardState(options.source.getView(), options.size, options.preferences);
    const source = options.source;
    this.#unsubscribe = source.subscribe(() => this.send({type: 'view', view: source.getView()}));
  }

  getState = (): DashboardState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Stops following the source (the dashboard unmounted). */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Handles an intent, and everything it leads to, before returning. */
  send = (intent: Intent): void => {
    this.#queue.push(intent);
    if (this.#isHandling) return;
    this.#isHandling = true;
    const before = this.#state;
    try {
      for (let handled = 0; this.#queue.length > 0 && handled < INTENTS_PER_SEND_MAX; handled++) {
        const step = transition(this.#state, this.#queue.shift()!, this.#now());
        this.#state = step.state;
        for (const effect of step.effects) this.#perform(effect);
      }
      this.#queue.length = 0;
    } finally {
      this.#isHandling = false;
    }
    if (this.#state !== before) for (const listener of this.#listeners) listener();
  };

  #perform(effect: Effect): void {
    switch (effect.kind) {
      case 'preview':
        this.#queue.push({
          type: 'previewed',
          request: effect.request,
          preview: this.#commands.preview(effect.request),
        });
        return;
      case 'run':
        this.#queue.push({type: 'ran', command: effect.command, result: this.#commands.run(effect.command)});
        return;
      case 'speed':
        this.#queue.push({type: 'speed-changed', speed: this.#commands.changeSpeed(effect.factor)});
        return;
      case 'quit':
        this.#commands.quit();
        return;
      case 'suspend':
        this.#commands.suspend();
        return;
    }
  }
}
