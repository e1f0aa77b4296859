/** virtio-console port 0 as both sides use it (include/uapi/linux/virtio_console.h). */

export const CONSOLE_RECEIVE_QUEUE = 0;
export const CONSOLE_TRANSMIT_QUEUE = 1;
/** Lines of guest console output the host keeps (a bounded chardev log). */
export const CONSOLE_LOG_LINES = 50;

/** The console's part of the device state migration carries: the chardev's log. */
export interface ConsoleMigrationState {
  readonly type: 'console';
  readonly lines: readonly string[];
}
