import {detailRowsWanted} from './detail-rows.js';
import {wrapWords} from './format.js';
import {questionRowsWanted} from './question-rows.js';
import type {DashboardState, TerminalSize} from './dashboard-state.js';

export {tabStrip} from './tab-strip.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** The banner of a failed config reload takes at most this many lines (the events have it whole). */
const BANNER_LINES_MAX = 2;
/** A status message takes at most this many lines (it is wrapped, not cut). */
const STATUS_LINES_MAX = 3;
/** The list's share of the rows between the summary and the status line, when the detail panel wants more. */
const LIST_SHARE = 0.45;
const DETAIL_ROWS_MIN = 3;

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
  /** The status message wrapped to the width: one line (maybe empty) or more. */
  readonly statusLines: readonly string[];
  /** Rows between the summary line and the banner: what the help overlay covers. */
  readonly bodyHeight: number;
}

export function isTooSmall(size: TerminalSize): boolean {
  return size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
}

export function layoutOf(state: DashboardState): DashboardLayout {
  // The layout at the list's share: the events tab's, and the room the others are measured in.
  const atShare = layoutWith(state, null);
  const room = atShare.detailHeight;
  // A question (a host to pick, a yes or no) takes the rows it needs, whatever the tab would.
  const question = questionRowsWanted(state, room);
  if (question !== null) return layoutWith(state, question);
  if (state.tab === 'events') return atShare;
  return layoutWith(state, detailRowsWanted(state, room));
}

/**
 * The most rows the detail panel can get: all the list leaves at its share. The open tab is
 * counted in the form it draws in these (detail-rows.ts), as the panel gets no more.
 */
export function detailRoom(state: DashboardState): number {
  return layoutWith(state, null).detailHeight;
}

function layoutWith(state: DashboardState, detailRows: number | null): DashboardLayout {
  const isFilterShown = state.overlay.kind === 'filter' || state.filter !== '';
  return dashboardLayout(
    state.size,
    state.vms.length,
    isFilterShown,
    state.view.banner,
    state.status?.text,
    detailRows,
  );
}

/** Summary on top; list, filter line and detail share the middle; banner, status and keys below. */
export function dashboardLayout(
  size: TerminalSize,
  vmCount: number,
  isFilterShown: boolean,
  banner: string | null,
  status = '',
  detailRows: number | null = null,
): DashboardLayout {
  const bannerLines = banner ? bannerText(banner, size.columns) : [];
  const statusLines = statusText(status, size.columns);
  // Summary above; banner, status and key bar below.
  const bodyHeight = Math.max(3, size.rows - 2 - bannerLines.length - statusLines.length);
  const middle = bodyHeight - (isFilterShown ? 1 : 0);
  // The list has at least its share of the middle, and every row the detail panel would leave blank.
  const listShare = Math.max(4, Math.floor(middle * LIST_SHARE));
  const detailWanted = detailRows === null ? middle : Math.max(DETAIL_ROWS_MIN, detailRows);
  const listMax = Math.max(listShare, middle - detailWanted);
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
    detailHeight: Math.max(DETAIL_ROWS_MIN, middle - listHeight),
    bannerLines,
    statusLines,
    bodyHeight,
  };
}

function bannerText(banner: string, width: number): string[] {
  const text = `config not applied: ${banner} (the last good world keeps running)`;
  return wrapAtMost(text, width - 1, BANNER_LINES_MAX, ' (whole text in 4 events)');
}

/** The status line's rows: the message wrapped, one empty row when there is none. */
export function statusText(status: string, width: number): string[] {
  if (status === '') return [''];
  return wrapAtMost(status, width - 1, STATUS_LINES_MAX, ' (whole text in 4 events)');
}

/**
 * `text` wrapped into at most `linesMax` lines of `width`; when it needs more, the last line keeps
 * the whole words that fit before `tail`, which says where the rest is.
 */
function wrapAtMost(text: string, width: number, linesMax: number, tail: string): string[] {
  const lines = wrapWords(text, width);
  if (lines.length <= linesMax) return lines;
  const kept = lines.slice(0, linesMax - 1);
  const [last = ''] = wrapWords(lines.slice(linesMax - 1).join(' '), width - tail.length);
  return [...kept, last + tail];
}
