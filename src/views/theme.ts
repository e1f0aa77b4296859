import type {SecurityState} from '../host/snapshot-types.js';

/** Colours carry meaning; with colours off every colour is undefined and text stays readable. */
export interface Theme {
  readonly isColorEnabled: boolean;
  /** The terminal takes UTF-8 glyphs; false: every glyph is drawn in ASCII (a C or POSIX locale). */
  readonly isUnicode: boolean;
  readonly secure: string | undefined;
  readonly undeclared: string | undefined;
  readonly failed: string | undefined;
  readonly transitioning: string | undefined;
  readonly hot: string | undefined;
  readonly warm: string | undefined;
  readonly dim: boolean;
  readonly accent: string | undefined;
  readonly warning: string | undefined;
  readonly error: string | undefined;
}

/** The theme's colour roles (every key of Theme that holds a colour). */
export type ThemeColor = Exclude<keyof Theme, 'isColorEnabled' | 'isUnicode' | 'dim'>;

export function createTheme(isColorEnabled: boolean, isUnicode = true): Theme {
  const color = (name: string) => (isColorEnabled ? name : undefined);
  return {
    isColorEnabled,
    isUnicode,
    secure: color('green'),
    undeclared: color('magenta'),
    failed: color('red'),
    transitioning: color('cyan'),
    hot: color('red'),
    warm: color('yellow'),
    dim: isColorEnabled,
    accent: color('cyan'),
    warning: color('yellow'),
    error: color('red'),
  };
}

/** SGR foreground codes of the theme's colours. */
const FOREGROUND: Readonly<Record<string, number>> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
};

/** Text in a theme colour as an inline SGR run (what Ink's `color` prop writes); unchanged without one. */
export function paint(text: string, color: string | undefined): string {
  const code = color === undefined ? undefined : FOREGROUND[color];
  return code === undefined ? text : `\u001B[${code}m${text}\u001B[39m`;
}

/**
 * Text in a colour and/or bold as inline SGR codes, as Ink's `<Text color bold>` writes them
 * (its output stage reads them back into styled cells either way).
 */
export function styledRun(text: string, color: string | undefined, isBold: boolean): string {
  const coloured = paint(text, color);
  return isBold ? `\u001B[1m${coloured}\u001B[22m` : coloured;
}

/** The colour of a VM's security column. */
export function securityColor(theme: Theme, state: SecurityState, isUndeclared: boolean): string | undefined {
  if (state === 'secure') return isUndeclared ? theme.undeclared : theme.secure;
  if (state === 'failed') return theme.failed;
  if (state === 'transitioning') return theme.transitioning;
  return undefined;
}

/** What each colour means, for the help: every use of a colour on screen is listed here. */
export const COLOR_LEGEND: ReadonlyArray<{readonly color: ThemeColor; readonly meaning: string}> = [
  {color: 'secure', meaning: 'secure, declared to management'},
  {color: 'undeclared', meaning: 'secure (undeclared): management was not told'},
  {color: 'transitioning', meaning: 'entering secure mode; a migration under way'},
  {color: 'failed', meaning: 'failed / halted; devices broken; a failed migration'},
  {color: 'hot', meaning: 'bounce pool >= 90% used, or map failures (!)'},
  {color: 'warm', meaning: 'bounce pool >= 60% used'},
  {color: 'warning', meaning: 'paused; devices refused; balloon n/a; DMA policy pending'},
];
