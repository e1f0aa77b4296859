import type {QmpCommandDef} from './qmp-command.js';
import type {WorldPort} from './world-port.js';

/**
 * The migration capability only QMP has: `events`. The VM's parameters and auto-converge are the
 * host's, shared with the dashboard and the scenario (WorldPort.migrationParams).
 */
export interface MonitorCapabilities {
  events: boolean;
}

/** What a command sees: its VM, the world port, the VM's monitor state, who is asking. */
export interface MonitorContext {
  readonly vm: string;
  readonly port: WorldPort;
  readonly capabilities: MonitorCapabilities;
  /** The session's origin as events show it (`qmp#3`). */
  readonly origin: string;
  /** Raises the events a command raises itself, before its reply (QEMU's order). */
  announce(kind: 'host-reset' | 'quit-while-off' | 'powerdown'): void;
  /** Closes every connection to this VM's monitor once the reply is out (quit ends a QEMU). */
  disconnectAllAfterReply(): void;
  /** Every command the monitor offers (query-commands). */
  readonly commandNames: readonly string[];
}

export type MonitorCommand = QmpCommandDef<MonitorContext>;
