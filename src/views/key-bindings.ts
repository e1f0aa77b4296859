import {speedRangeText} from '../core/speed-range.js';
import type {WayOutCode} from '../host/snapshot-types.js';
import {COLOR_LEGEND, type ThemeColor} from './theme.js';

/** The migration tab's keys for QEMU's ways out of a pre-copy that does not converge. */
export const MIGRATION_WAY_KEYS: Readonly<Record<WayOutCode, string>> = {
  'max-bandwidth': 'M',
  'downtime-limit': 'D',
  'auto-converge': 'A',
};

/** Every key the dashboard knows, as the help lists it; the key bar shows those with a label. */
export const KEY_BINDINGS: ReadonlyArray<{
  readonly keys: string;
  readonly action: string;
  readonly label?: string;
  /** How the key bar spells the keys, when not the first of `keys`. */
  readonly barKeys?: string;
}> = [
  {keys: 'j k Up Down', action: 'select VM', label: 'select', barKeys: 'j/k'},
  {keys: 'PgUp PgDn g G', action: 'page / first / last VM (Home, End too)'},
  {keys: 'click', action: 'select a VM or a tab with the mouse; the wheel moves'},
  {keys: 'Tab S-Tab Enter 1-4', action: 'detail tab: devices, swiotlb, migration, events', label: 'tabs'},
  {keys: 's', action: 'go secure (kexec, svm=on; says what happens, asks)', label: 'secure'},
  {keys: 'u', action: 'back to normal (reboot with svm=off; asks first)', label: 'normal'},
  {keys: 'r', action: 'reboot (keeps svm=; asks first)', label: 'reboot'},
  {keys: 'p', action: 'pause / resume', label: 'pause'},
  {keys: 'b B', action: 'balloon +256MiB / -256MiB', label: 'balloon'},
  {keys: 'P', action: "cycle next boot's DMA policy: gated > rfc > not-ppc"},
  {keys: 'w', action: 'cycle workload'},
  {keys: 'm', action: 'migrate: pick a host (each says why it would refuse)', label: 'migrate'},
  {keys: 'c', action: 'cancel the migration', label: 'cancel'},
  {keys: 'M D A', action: 'raise max-bandwidth / downtime, auto-converge (tab 3)'},
  {keys: '[ ] S-Up S-Down', action: 'scroll the events tab back / forward'},
  {keys: '+ -', action: `simulation speed x2 / /2 (${speedRangeText('x')})`},
  {keys: '/', action: 'filter by name, host, state or security', label: 'filter'},
  {keys: '< > I', action: 'sort by any column: the one left / right, invert'},
  {keys: 'Esc', action: 'close overlay, clear filter'},
  {keys: 'Ctrl-Z', action: 'suspend to the shell (fg comes back)'},
  {keys: '? F1', action: 'this help', label: 'help'},
  {keys: 'q F10 Ctrl-C', action: 'quit', label: 'quit'},
];

/** How the help is closed: its title and the unknown-key message say it (q, as in htop, closes it). */
export const HELP_CLOSE = 'Esc, q or ? closes';
/** The key bar while the help is open, instead of the dashboard's keys (its `q quit` misled there). */
export const HELP_KEY_BAR = 'j/k scroll  PgUp PgDn page  g G top/end  Esc q ? back to the dashboard';

/** One line of the help: a key and its action, a heading, or a colour swatch and its meaning. */
export interface HelpLine {
  readonly text: string;
  readonly swatch?: ThemeColor;
  readonly isHeading?: boolean;
}

/** Marks the screen uses without colour, so they read the same with NO_COLOR. */
const MARKS: readonly string[] = [
  '^ v         the column the list is sorted by, ascending ^ or descending v',
  'DMA gated   ACCESS_PLATFORM-gated: every pseries kernel, mainline too',
  'DMA rfc     forced DMA API: the 2018 RFC, not merged in that form',
  'DMA not-ppc restricted memory access (s390 PV/SEV/TDX): not pseries',
  'DMA a>b     a is in effect, b takes effect at the next boot',
  'DEVICES     ok, or how many are broken (need reset) or refused at probe',
  'BOUNCE !    swiotlb map failures ("buffer is full"); see 2 swiotlb',
  'BALLOON a/b a inflated, b reclaimed by the host; n/a: gives nothing back',
  'MIGRATION ! not converging: 3 migration says why and offers the ways out',
  "DONE FAIL.. device counts over the VM's life, reboots and migrations too",
  '+N more     columns, facts or lines left out here; most important kept',
  'name+       a name cut to fit; the detail line shows it whole',
];

/** Everything the help shows, in order: the keys, what the colours mean, the marks. */
export const HELP_LINES: readonly HelpLine[] = [
  ...KEY_BINDINGS.map((binding) => ({text: `${binding.keys.padEnd(20)} ${binding.action}`})),
  {text: 'colours (with colours on)', isHeading: true},
  ...COLOR_LEGEND.map((entry) => ({text: entry.meaning, swatch: entry.color})),
  {text: 'marks', isHeading: true},
  ...MARKS.map((text) => ({text})),
];

/** Help lines that fit in an overlay of `height` rows (inside the border, under the title). */
export function helpBodyRows(height: number): number {
  return Math.max(1, height - 3);
}
