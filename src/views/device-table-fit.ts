// The devices tab's rows, and which of its two forms it draws: the ASCII table or the compact one.

import type {DeviceSnapshot, VmSnapshot} from '../host/snapshot-types.js';

export type DeviceRow = {
  DEV: string;
  TYPE: string;
  IOMMU: string;
  DMA: string;
  STATUS: string;
  DONE: number;
  FAIL: number;
  INFL: number;
  FAULT: number;
  INTEG: number;
};

/**
 * Every text the DMA column can show: a device's driver binds, refuses and unbinds while the VM
 * runs (the functions that write the two columns return these types, so a new text must be listed).
 */
export const DMA_TEXTS = ['-', 'direct', 'dma-api', 'dma-api+bounce', 'refused'] as const;
export type DmaText = (typeof DMA_TEXTS)[number];
/** Every text the STATUS column can show: a device breaks, is reset, is refused at probe. */
export const STATUS_TEXTS = ['ok', 'needs-reset', 'refused', 'halted', 'unbound'] as const;
export type StatusText = (typeof STATUS_TEXTS)[number];

/** Cells between the bars and the text in the ASCII table. */
export const TABLE_PADDING = 1;

/**
 * The counters' room when choosing the form: six digits, a million requests, which the default
 * world's busiest device reaches after about ten hours. Past it a counter counts as wide as it is.
 */
export const COUNTER_REACH = 999_999;

const COUNTERS = ['DONE', 'FAIL', 'INFL', 'FAULT', 'INTEG'] as const;

// Loops, not callbacks made per call: asked at every frame (column-layout.ts says why).
function widest(texts: readonly string[]): string {
  let longest = texts[0]!;
  for (const text of texts) if (text.length > longest.length) longest = text;
  return longest;
}

/**
 * The rows as wide as they can get while the VM runs: its devices and their IOMMU setting stay
 * (a world file that changes them builds the devices again), the DMA and STATUS texts and the
 * counters move with the traffic. Choosing the form by these, the tab does not jump between its
 * two forms when a counter gains a digit or a device breaks and is reset: a terminal wide enough
 * for the ASCII table keeps it for hours of traffic, and a narrower one shows the compact table
 * from the start (which it would have come to within minutes: the busiest device passes 9,999
 * requests, a digit wider than its heading, after about six).
 */
export function widestRows(rows: readonly DeviceRow[]): DeviceRow[] {
  return rows.map((row) => {
    const reach: DeviceRow = {...row, DMA: widest(DMA_TEXTS), STATUS: widest(STATUS_TEXTS)};
    for (const key of COUNTERS) reach[key] = Math.max(row[key], COUNTER_REACH);
    return reach;
  });
}

/**
 * How wide the ASCII table draws `rows`: ink-table gives each column its longest text, heading
 * included, and the padding on both sides (@alcalzone/ink-table dist/index.js `getColumns`), and
 * a bar between and around the columns.
 */
export function asciiTableWidth(rows: readonly DeviceRow[]): number {
  const keys = Object.keys(rows[0] ?? {}) as (keyof DeviceRow)[];
  let sum = 1;
  for (const key of keys) {
    let longest = key.length;
    for (const row of rows) longest = Math.max(longest, String(row[key]).length);
    sum += longest + 2 * TABLE_PADDING + 1;
  }
  return sum;
}

/** Lines the ASCII table takes: a rule above, under the headings and under each row, and the headings. */
export function asciiTableHeight(rows: readonly DeviceRow[]): number {
  return rows.length * 2 + 3;
}

/**
 * Whether the tab draws the ASCII table in `width` × `height`: whole, at the width its rows can
 * reach (wider than the panel it would lose its right-hand columns to the cut; the compact table
 * drops columns whole), with a line under it for each device's problem, as every device may have one.
 * Like every line of the panel (the compact table, the problems) it leaves the right-hand cell free:
 * at exactly the panel's width its border took the terminal's last column once the counters grew.
 */
export function isAsciiTableFitting(rows: readonly DeviceRow[], width: number, height: number): boolean {
  return (
    rows.length > 0 &&
    asciiTableHeight(rows) + rows.length <= height &&
    asciiTableWidth(widestRows(rows)) <= width - 1
  );
}

/** A device whose driver is unbound is not "ok": the guest is halted or between kernels. */
function statusText(vm: VmSnapshot, device: DeviceSnapshot): StatusText {
  if (device.status !== 'ok' || device.dma !== null) return device.status;
  return vm.state === 'halted' ? 'halted' : 'unbound';
}

function dmaText(device: DeviceSnapshot): DmaText {
  if (device.dma === null) return '-';
  return device.dma === 'dma-api' && device.bounces ? 'dma-api+bounce' : device.dma;
}

/** The VM's device table rows (exported for the tests that hold the tab's choice of form). */
export function deviceRowsOf(vm: VmSnapshot): DeviceRow[] {
  return vm.devices.map((device) => deviceRow(vm, device));
}

function deviceRow(vm: VmSnapshot, device: DeviceSnapshot): DeviceRow {
  return {
    DEV: device.id,
    TYPE: device.type,
    IOMMU: device.accessPlatformForced ? 'forced' : device.offersAccessPlatform ? 'on' : 'off',
    DMA: dmaText(device),
    STATUS: statusText(vm, device),
    DONE: device.completed,
    FAIL: device.failed,
    INFL: device.inFlight,
    FAULT: device.faults,
    INTEG: device.integrityErrors,
  };
}
