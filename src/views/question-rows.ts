import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import type {DashboardState} from './dashboard-state.js';
import {counted, wrapIndented, wrapWords} from './format.js';

/** A question's box (overlays.tsx): its borders and its title take 3 rows around its lines. */
export const QUESTION_FRAME_ROWS = 3;

/** The columns a question's box leaves its lines: its width less its borders and padding. */
export function questionInnerWidth(boxWidth: number): number {
  return boxWidth - 4;
}

/**
 * The rows a question (the host picker, a yes or no) takes out of the `room` the panel can get:
 * its box as tall as what it says, so the list above it has the rest, as it has beside a detail
 * tab (dashboard-layout.ts). Null when no question is open.
 */
export function questionRowsWanted(state: DashboardState, room: number): number | null {
  const overlay = state.overlay;
  const inner = questionInnerWidth(state.size.columns);
  const lines =
    overlay.kind === 'picker'
      ? pickerRows(overlay.checks, overlay.host, inner, Math.max(1, room - QUESTION_FRAME_ROWS)).length
      : overlay.kind === 'confirm'
        ? confirmLines(overlay.question, inner).length
        : null;
  return lines === null ? null : lines + QUESTION_FRAME_ROWS;
}

/** A yes/no question's lines in `width` cells. */
export function confirmLines(question: string, width: number): string[] {
  return wrapWords(`${question} [y/N]`, width);
}

interface PickerRow {
  readonly text: string;
  readonly isHighlighted: boolean;
  readonly isAccepting: boolean;
}

/**
 * Each host's verdict, its reasons wrapped under it; when they do not all fit in `rows`, the
 * other hosts' reasons fold to a count (highlighting one spells them out), longest first.
 */
export function pickerRows(
  checks: readonly MigrationCheck[],
  host: string | null,
  width: number,
  rows: number,
): PickerRow[] {
  const nameWidth = Math.max(8, ...checks.map((check) => check.host.length));
  const indent = 2 + nameWidth + 1;
  const full = checks.map((check) => {
    const isHighlighted = check.host === host;
    const head = `${isHighlighted ? '>' : ' '} ${check.host.padEnd(nameWidth)} `;
    const reasons = check.blockedReasons;
    const verdict = reasons.length === 0 ? 'would accept' : `refuses: ${reasons.join('; ')}`;
    const folded = `refuses: ${counted(reasons.length, 'reason')} (highlight to read)`;
    const texts = wrapIndented(head + verdict, width, indent);
    const row = (text: string) => ({text, isHighlighted, isAccepting: reasons.length === 0});
    return {isHighlighted, texts: texts.map(row), folded: [row(head + folded)]};
  });
  const chosen = full.map((entry) => entry.texts);
  const count = () => chosen.reduce((sum, texts) => sum + texts.length, 0);
  const foldOrder = full
    .map((entry, index) => ({entry, index}))
    .filter(({entry}) => !entry.isHighlighted && entry.texts.length > 1)
    .sort((a, b) => b.entry.texts.length - a.entry.texts.length || a.index - b.index);
  for (const {entry, index} of foldOrder) {
    if (count() <= rows) break;
    chosen[index] = entry.folded;
  }
  const all = chosen.flat();
  if (all.length <= rows) return all;
  const more = {text: `  +${all.length - rows + 1} more lines`, isHighlighted: false, isAccepting: false};
  return [...all.slice(0, rows - 1), more];
}
