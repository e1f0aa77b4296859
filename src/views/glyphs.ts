import type {Theme} from './theme.js';

/** The glyphs a view picks by charset, each with its ASCII stand-in for a terminal without UTF-8 (the devices tab's tree and table-line's divider map their own). */
interface Glyphs {
  /** Ink's border style for boxes: rounded corners, or `+-|` (Ink's `classic`). */
  readonly border: 'round' | 'classic';
  /** Between a width and a height: `80×24`, `80x24`. */
  readonly times: string;
  /** The sparkline's ramp, lowest first, eight steps. */
  readonly spark: readonly string[];
}

const UNICODE: Glyphs = {
  border: 'round',
  times: '\u00d7',
  spark: ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'],
};

const ASCII: Glyphs = {border: 'classic', times: 'x', spark: ['_', '.', ',', ':', '-', '=', '+', '#']};

/** The glyphs for the theme's charset (app/charset.ts decides it from the locale). */
export function glyphsOf(theme: Pick<Theme, 'isUnicode'>): Glyphs {
  return theme.isUnicode ? UNICODE : ASCII;
}
