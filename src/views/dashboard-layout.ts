import {clip, wrapWords} from './format.js';
import {TABS, type DashboardState, type Tab, type TerminalSize} from './dashboard-state.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** The banner of a failed config reload takes at most this many lines (the events have it whole). */
const BANNER_LINES_MAX = 2;

/** Where each part of the screen is, in rows from the top; one answer for drawing and for the mouse. */
export interface DashboardLayout {
  readonly listTop: number;
  /** The list's rows: header, VM rows, and a footer when not every VM fits. */
  readonly listHeight: number;
  readonly listBodyRows: number;
  readonly hasListFooter: boolean;
  readonly filterRow: number | null;
  readonly detailTop: number;
  readonly detailHeight: number;
  readonly bannerLines: readonly string[];
  /** Rows between the summary line and the banner: what the help overlay covers. */
  readonly bodyHeight: number;
}

export function isTooSmall(size: TerminalSize): boolean {
  return size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
}

export function layoutOf(state: DashboardState): DashboardLayout {
  const isFilterShown = state.overlay.kind === 'filter' || state.filter !== '';
  return dashboardLayout(state.size, state.vms.length, isFilterShown, state.view.banner);
}

/** Summary on top; list, filter line and detail share the middle; banner, status and keys below. */
export function dashboardLayout(
  size: TerminalSize,
  vmCount: number,
  isFilterShown: boolean,
  banner: string | null,
): DashboardLayout {
  const bannerLines = banner ? bannerText(banner, size.columns) : [];
  const bodyHeight = Math.max(3, size.rows - 3 - bannerLines.length);
  const middle = bodyHeight - (isFilterShown ? 1 : 0);
  const listMax = Math.max(4, Math.floor(middle * 0.45));
  const wanted = vmCount + 1 + (vmCount === 0 ? 1 : 0);
  const listHeight = Math.min(wanted, listMax);
  const hasListFooter = vmCount > listHeight - 1;
  const listBodyRows = Math.max(1, listHeight - 1 - (hasListFooter ? 1 : 0));
  const listTop = 1;
  const filterRow = isFilterShown ? listTop + listHeight : null;
  const detailTop = listTop + listHeight + (isFilterShown ? 1 : 0);
  return {
    listTop,
    listHeight,
    listBodyRows,
    hasListFooter,
    filterRow,
    detailTop,
    detailHeight: Math.max(3, middle - listHeight),
    bannerLines,
    bodyHeight,
  };
}

function bannerText(banner: string, width: number): string[] {
  const lines = wrapWords(`config not applied: ${banner} (the last good world keeps running)`, width - 1);
  if (lines.length <= BANNER_LINES_MAX) return lines;
  const kept = lines.slice(0, BANNER_LINES_MAX);
  kept[BANNER_LINES_MAX - 1] = clip(`${kept[BANNER_LINES_MAX - 1]} (whole text in 4 events)`, width - 1);
  return kept;
}

/** The detail panel's tab strip and where each tab is on it (for clicks). */
export function tabStrip(tab: Tab): {
  readonly text: string;
  readonly spans: readonly (readonly [number, number])[];
} {
  let text = '';
  const spans: Array<readonly [number, number]> = [];
  TABS.forEach((name, index) => {
    const label = name === tab ? `[${index + 1} ${name}]` : ` ${index + 1} ${name} `;
    spans.push([text.length, text.length + label.length]);
    text += label;
  });
  return {text, spans};
}
