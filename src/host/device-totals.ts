import type {DeviceTotals} from './guest-runtime.js';
import type {VirtioBackend} from './virtio/backend.js';

/** A device replaced at switch-over: its counters go on from where `old` left them. */
export function carryDeviceTotals(totals: DeviceTotals, old: VirtioBackend): void {
  totals.bytesToDevice += old.bytesToDevice;
  totals.bytesFromDevice += old.bytesFromDevice;
  totals.faults += old.faults;
  totals.integrityErrors += old.integrityErrors;
}
