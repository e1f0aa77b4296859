import type {OutputValue} from './qobject-format.js';
import {qmpMigrationStatus, runStateOf, type QmpMigrationStatus, type RunState} from './run-state.js';
import type {VmFacts} from './world-port.js';

/** A QMP event at a simulated instant; the server turns the instant into wall time. */
export interface QmpEvent {
  readonly event: string;
  readonly data?: {readonly [member: string]: OutputValue};
  readonly tUs: number;
}

/** SHUTDOWN's data for quit (ShutdownCause SHUTDOWN_CAUSE_HOST_QMP_QUIT). */
const SHUTDOWN_BY_QUIT = {guest: false, reason: 'host-qmp-quit'} as const;

/**
 * RESET's data for a reset the host asked for: the one host reset QEMU has is system_reset's
 * (qapi/run-state.json ShutdownCause `host-qmp-system-reset`; HMP's system_reset calls it too).
 */
const RESET_BY_HOST = {guest: false, reason: 'host-qmp-system-reset'} as const;

/** QEMU throttles BALLOON_CHANGE to one a second (monitor/monitor.c monitor_qapi_event_conf). */
export const BALLOON_CHANGE_INTERVAL_US = 1_000_000;

interface Observed {
  readonly runState: RunState;
  readonly haltCause: VmFacts['haltCause'];
  readonly bootCount: number;
  readonly isColdBooting: boolean;
  readonly migration: QmpMigrationStatus | null;
  readonly pass: number;
  readonly balloonActualBytes: number | null;
  readonly security: VmFacts['securityState'];
}

function observe(facts: VmFacts): Observed {
  const migration = qmpMigrationStatus(facts.migrationStatus);
  return {
    runState: runStateOf(facts),
    haltCause: facts.haltCause,
    bootCount: facts.bootCount,
    isColdBooting: facts.isColdBooting,
    migration,
    // QEMU sends MIGRATION_PASS at every bitmap sync, the first of which is at setup and the last
    // at stop-and-copy: the snapshot's dirty-sync-count is QEMU's.
    pass: migration === 'active' || migration === 'completed' ? facts.dirtySyncCount : 0,
    balloonActualBytes:
      facts.balloonActualBytes === null ? null : facts.memoryBytes - facts.balloonActualBytes,
    security: facts.securityState,
  };
}

/**
 * Raises one VM's QMP events by comparing what it observes with what it saw last, in the order
 * QEMU raises them, and throttles BALLOON_CHANGE as QEMU does (the first at once, then at most
 * one a second, carrying the latest value). Simulated time only.
 */
export class VmEventWatcher {
  #last: Observed | null = null;
  /** system_reset said RESET itself: the cold boot it causes raises none (until the VM halts). */
  #isHostResetAnnounced = false;
  #balloonWindowEndUs = Number.NEGATIVE_INFINITY;
  #balloonPending: QmpEvent | null = null;

  /** @param hasMigrationEvents whether the `events` migration capability is on */
  constructor(private readonly hasMigrationEvents: () => boolean) {}

  /** Forgets what it saw; the next observation is a baseline and raises nothing. */
  reset(): void {
    this.#last = null;
  }

  /**
   * The events a command raises itself, before its reply: system_reset's RESET (once the reboot is
   * accepted), system_powerdown's POWERDOWN, and quit's SHUTDOWN for a VM already off (quit on a
   * running VM halts it, and the halt's cause says SHUTDOWN).
   */
  announce(kind: 'host-reset' | 'quit-while-off' | 'powerdown', tUs: number): QmpEvent[] {
    if (kind === 'host-reset') {
      this.#isHostResetAnnounced = true;
      return [{event: 'RESET', data: RESET_BY_HOST, tUs}];
    }
    if (kind === 'quit-while-off') return [{event: 'SHUTDOWN', data: SHUTDOWN_BY_QUIT, tUs}];
    return [{event: 'POWERDOWN', tUs}];
  }

  observe(facts: VmFacts, tUs: number): QmpEvent[] {
    const next = observe(facts);
    const last = this.#last;
    this.#last = next;
    const events: QmpEvent[] = [];
    if (last) {
      this.#lifecycle(last, next, tUs, events);
      if (this.hasMigrationEvents()) this.#migration(last, next, tUs, events);
      if (last.runState !== 'running' && next.runState === 'running') events.push({event: 'RESUME', tUs});
      if (next.balloonActualBytes !== null && next.balloonActualBytes !== last.balloonActualBytes)
        this.#balloonChanged({event: 'BALLOON_CHANGE', data: {actual: next.balloonActualBytes}, tUs});
      if (next.security !== last.security)
        events.push({event: 'X_SVMTOP_SECURITY_CHANGE', data: {state: next.security}, tUs});
    }
    this.#flushBalloon(tUs, events);
    return events;
  }

  /** RESET, SHUTDOWN or GUEST_PANICKED, then STOP: the order of qemu_system_reset and vm_stop. */
  #lifecycle(last: Observed, next: Observed, tUs: number, events: QmpEvent[]): void {
    if (next.bootCount > last.bootCount && next.isColdBooting) {
      // A VM that was not running (off, paused, held) ran no code to ask for it: the host did.
      const data = last.runState === 'running' ? {guest: true, reason: 'guest-reset'} : RESET_BY_HOST;
      if (!this.#isHostResetAnnounced) events.push({event: 'RESET', data, tUs});
      this.#isHostResetAnnounced = false;
    }
    if (next.runState === last.runState) return;
    if (next.haltCause !== null) this.#isHostResetAnnounced = false;
    // A power cut by the host is quit's; a guest that powered itself off was asked by system_powerdown.
    const isQuit = next.runState === 'shutdown' && next.haltCause === 'power-off';
    if (next.runState === 'shutdown')
      events.push({
        event: 'SHUTDOWN',
        data: isQuit ? SHUTDOWN_BY_QUIT : {guest: true, reason: 'guest-shutdown'},
        tUs,
      });
    if (next.runState === 'guest-panicked')
      events.push({event: 'GUEST_PANICKED', data: {action: 'pause'}, tUs});
    // quit stops the VM without STOP (qemu/qemu softmmu/cpus.c vm_shutdown: do_vm_stop(.., false)).
    if (last.runState === 'running' && !isQuit) events.push({event: 'STOP', tUs});
  }

  /** MIGRATION on every status change, MIGRATION_PASS at every pass (ram.c migration_bitmap_sync). */
  #migration(last: Observed, next: Observed, tUs: number, events: QmpEvent[]): void {
    for (let pass = last.pass + 1; pass <= next.pass; pass++)
      events.push({event: 'MIGRATION_PASS', data: {pass}, tUs});
    if (next.migration !== null && next.migration !== last.migration)
      events.push({event: 'MIGRATION', data: {status: next.migration}, tUs});
  }

  #balloonChanged(event: QmpEvent): void {
    if (event.tUs < this.#balloonWindowEndUs) {
      this.#balloonPending = event;
      return;
    }
    this.#balloonPending = null;
    this.#balloonWindowEndUs = event.tUs + BALLOON_CHANGE_INTERVAL_US;
    this.#balloonReady = event;
  }

  #balloonReady: QmpEvent | null = null;

  /** Emits a BALLOON_CHANGE due now: a fresh one, or the held one once its second is over. */
  #flushBalloon(tUs: number, events: QmpEvent[]): void {
    if (this.#balloonReady) {
      events.push(this.#balloonReady);
      this.#balloonReady = null;
    } else if (this.#balloonPending && tUs >= this.#balloonWindowEndUs) {
      events.push(this.#balloonPending);
      this.#balloonPending = null;
      this.#balloonWindowEndUs = tUs + BALLOON_CHANGE_INTERVAL_US;
    }
  }
}
