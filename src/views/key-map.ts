import type {Intent, VmIntent} from './dashboard-intents.js';
import {isTooSmall} from './dashboard-layout.js';
import {TABS, type DashboardState} from './dashboard-state.js';
import {describeKeyPress, type KeyPress} from './key-input.js';
import {HELP_CLOSE} from './key-bindings.js';

const VM_KEYS: Readonly<Record<string, VmIntent>> = {
  s: 'secure',
  u: 'unsecure',
  r: 'reboot',
  p: 'pause-toggle',
  b: 'balloon-inflate',
  B: 'balloon-deflate',
  P: 'policy-cycle',
  w: 'workload-cycle',
  m: 'migrate',
  c: 'migrate-cancel',
};

/** Keys of the migration tab only: QEMU's ways out of a pre-copy that does not converge. */
const MIGRATION_TAB_KEYS: Readonly<Record<string, VmIntent>> = {
  M: 'raise-max-bandwidth',
  D: 'raise-downtime-limit',
  A: 'restart-auto-converge',
};

/** Mouse buttons (SGR): left press, wheel up, wheel down. */
const MOUSE_LEFT = 0;
const WHEEL_UP = 64;
const WHEEL_DOWN = 65;

/**
 * What a key means in the mode the dashboard is in when the key is read. Called by the reducer
 * with its own current state, so every key of a burst sees what the keys before it did.
 */
export function intentForKey(state: DashboardState, key: KeyPress): Intent | undefined {
  const global = globalIntent(key);
  if (global) return global;
  if (isTooSmall(state.size))
    return key.name === 'char' && key.char === 'q'
      ? {type: 'quit'}
      : say('the terminal is too small: resize it, or q to quit');
  switch (state.overlay.kind) {
    case 'help':
      return helpIntent(key);
    case 'filter':
      return filterIntent(key);
    case 'picker':
      return pickerIntent(key);
    case 'confirm':
      if (key.name === 'mouse') return undefined;
      return {type: 'answer', isYes: key.name === 'char' && (key.char === 'y' || key.char === 'Y')};
    case 'none':
      return mainIntent(state, key);
  }
}

function say(text: string): Intent {
  return {type: 'say', text, tone: 'warning'};
}

/** Keys that mean the same everywhere: quit and suspend. */
function globalIntent(key: KeyPress): Intent | undefined {
  if (key.name === 'f10') return {type: 'quit'};
  if (key.name === 'ctrl' && key.letter === 'c') return {type: 'quit'};
  if (key.name === 'ctrl' && key.letter === 'z') return {type: 'suspend'};
  return undefined;
}

function mainIntent(state: DashboardState, key: KeyPress): Intent | undefined {
  if (key.name === 'mouse') return mouseIntent(key);
  if (key.name === 'char') return charIntent(state, key.char);
  switch (key.name) {
    case 'up':
      return key.isShifted ? {type: 'events-scroll', events: 1} : {type: 'select-by', rows: -1};
    case 'down':
      return key.isShifted ? {type: 'events-scroll', events: -1} : {type: 'select-by', rows: 1};
    case 'pageup':
      return {type: 'select-page', pages: -1};
    case 'pagedown':
      return {type: 'select-page', pages: 1};
    case 'home':
      return {type: 'select-first'};
    case 'end':
      return {type: 'select-last'};
    case 'tab':
    case 'return':
      return {type: 'tab-step', step: 1};
    case 'backtab':
      return {type: 'tab-step', step: -1};
    case 'f1':
      return {type: 'help-open'};
    case 'escape':
      return {type: 'close'};
    default:
      return say(`no action for ${describeKeyPress(key)} (? lists the keys)`);
  }
}

function charIntent(state: DashboardState, char: string): Intent {
  const vmIntent = VM_KEYS[char];
  if (vmIntent) return {type: 'vm', command: vmIntent};
  const wayOut = MIGRATION_TAB_KEYS[char];
  if (wayOut)
    return state.tab === 'migration'
      ? {type: 'vm', command: wayOut}
      : say('M, D and A change a running migration from the migration tab (3)');
  if (/^[1-4]$/.test(char)) return {type: 'tab', tab: TABS[Number(char) - 1]!};
  switch (char) {
    case 'k':
      return {type: 'select-by', rows: -1};
    case 'j':
      return {type: 'select-by', rows: 1};
    case 'g':
      return {type: 'select-first'};
    case 'G':
      return {type: 'select-last'};
    case 'q':
      return {type: 'quit'};
    case '?':
      return {type: 'help-open'};
    case '/':
      return {type: 'filter-open'};
    case '<':
    case '>':
      return {type: 'sort-step', step: char === '>' ? 1 : -1};
    case 'I':
      return {type: 'sort-invert'};
    case '+':
    case '=':
      return {type: 'speed', factor: 2};
    case '-':
    case '_':
      return {type: 'speed', factor: 0.5};
    case '[':
    case ']':
      return state.tab === 'events'
        ? {type: 'events-scroll', events: char === '[' ? 1 : -1}
        : say('[ and ] scroll the events tab (4)');
    default:
      return say(`no action for "${char}" (? lists the keys)`);
  }
}

function mouseIntent(key: Extract<KeyPress, {name: 'mouse'}>): Intent | undefined {
  if (key.isRelease) return undefined;
  if (key.button === WHEEL_UP || key.button === WHEEL_DOWN)
    return {type: 'wheel', rows: key.button === WHEEL_UP ? -1 : 1, row: key.row};
  if ((key.button & 0b11) === MOUSE_LEFT && (key.button & 32) === 0)
    return {type: 'click', column: key.column, row: key.row};
  return undefined;
}

function helpIntent(key: KeyPress): Intent | undefined {
  if (key.name === 'mouse') {
    if (key.isRelease || (key.button !== WHEEL_UP && key.button !== WHEEL_DOWN)) return undefined;
    return {type: 'help-scroll', by: key.button === WHEEL_UP ? -3 : 3, unit: 'line'};
  }
  const char = key.name === 'char' ? key.char : undefined;
  if (key.name === 'escape' || key.name === 'return' || key.name === 'f1' || char === '?' || char === 'q')
    return {type: 'close'};
  if (key.name === 'down' || char === 'j') return {type: 'help-scroll', by: 1, unit: 'line'};
  if (key.name === 'up' || char === 'k') return {type: 'help-scroll', by: -1, unit: 'line'};
  if (key.name === 'pagedown' || char === ' ') return {type: 'help-scroll', by: 1, unit: 'page'};
  if (key.name === 'pageup') return {type: 'help-scroll', by: -1, unit: 'page'};
  if (key.name === 'home' || char === 'g') return {type: 'help-scroll', by: -1, unit: 'end'};
  if (key.name === 'end' || char === 'G') return {type: 'help-scroll', by: 1, unit: 'end'};
  return say(`in the help: j/k or PgUp/PgDn scroll; ${HELP_CLOSE}`);
}

function filterIntent(key: KeyPress): Intent | undefined {
  switch (key.name) {
    case 'char':
      return {type: 'filter-type', text: key.char};
    case 'backspace':
      return {type: 'filter-erase'};
    case 'return':
      return {type: 'filter-accept'};
    case 'escape':
      return {type: 'filter-clear'};
    case 'up':
      return {type: 'select-by', rows: -1};
    case 'down':
      return {type: 'select-by', rows: 1};
    case 'mouse':
      return undefined;
    default:
      return say('in the filter: type to match, Enter keeps it, Esc clears it');
  }
}

function pickerIntent(key: KeyPress): Intent | undefined {
  const char = key.name === 'char' ? key.char : undefined;
  if (key.name === 'up' || char === 'k') return {type: 'picker-move', by: -1};
  if (key.name === 'down' || char === 'j') return {type: 'picker-move', by: 1};
  if (key.name === 'return') return {type: 'picker-choose'};
  if (key.name === 'escape' || char === 'q') return {type: 'close'};
  if (key.name === 'mouse') return undefined;
  return say('in the host picker: Up/Down choose, Enter migrates, Esc closes');
}
