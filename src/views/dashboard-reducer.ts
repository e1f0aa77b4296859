import {speedBoundOf, speedRangeText} from '../core/speed-range.js';
import {
  answer,
  pickerChoose,
  pickerMove,
  previewed,
  ran,
  stay,
  vmIntent,
  withStatus,
  type Step,
} from './command-flow.js';
import type {Intent} from './dashboard-intents.js';
import {detailRoom, layoutOf, tabStrip} from './dashboard-layout.js';
import {
  FILTER_LENGTH_MAX,
  selectedSnapshot,
  SORT_KEYS,
  TABS,
  type DashboardState,
  type SortKey,
} from './dashboard-state.js';
import {detailLines} from './detail-header.js';
import {withDetailRowsSeen} from './detail-rows.js';
import {eventsBackMax, relevantEvents} from './events-lines.js';
import {helpBodyRows, HELP_LINES} from './key-bindings.js';
import {formatSpeed} from './format.js';
import {intentForKey} from './key-map.js';
import {relist, scrollToSelection, selectedIndex, selectIndex} from './selection.js';
import {followUp} from './status-watch.js';
import {sortText} from './vm-order.js';

export type {Step};

/**
 * The dashboard's one reducer: `transition(state, intent) → {state, effects}`, pure. Every intent
 * reads what it applies to (the highlighted VM, the mode, the list) from `state` as it is when the
 * intent is handled, so the keys of a burst act in order on what the ones before them did.
 * `nowMs` (wall clock) only ages status messages.
 */
export function transition(state: DashboardState, intent: Intent, nowMs: number): Step {
  const step = transitionOf(state, intent, nowMs);
  // Another tab, VM or question may move the list's lower edge (dashboard-layout): the selection stays in view.
  const held = scrollToSelection(withDetailRowsSeen(step.state, detailRoom(step.state)));
  return held === step.state ? step : {...step, state: held};
}

function transitionOf(state: DashboardState, intent: Intent, nowMs: number): Step {
  switch (intent.type) {
    case 'key': {
      const mapped = intentForKey(state, intent.key);
      return mapped ? transitionOf(state, mapped, nowMs) : stay(state);
    }
    case 'vm':
      return vmIntent(state, intent.command, nowMs);
    case 'previewed':
      return previewed(state, intent.request, intent.preview, nowMs);
    case 'ran':
      return ran(state, intent.command, intent.result, nowMs);
    case 'answer':
      return answer(state, intent.isYes, nowMs);
    case 'picker-move':
      return pickerMove(state, intent.by);
    case 'picker-choose':
      return pickerChoose(state, nowMs);
    case 'speed':
      return {state, effects: [{kind: 'speed', factor: intent.factor}]};
    case 'speed-changed':
      return stay(withStatus(state, speedText(intent.speed), 'info', nowMs));
    case 'quit':
      return {state, effects: [{kind: 'quit'}]};
    case 'suspend':
      return {state, effects: [{kind: 'suspend'}]};
    case 'say':
      return stay(withStatus(state, intent.text, intent.tone, nowMs));
    case 'view':
      return viewArrived(state, intent.view, nowMs);
    case 'resize':
      // transition() keeps the selection in view after every step, this one too.
      return stay(withEventsBackHeld({...state, size: {columns: intent.columns, rows: intent.rows}}));
    default:
      // Moving around answers on screen; the previous message would only be stale now.
      return stay(screenIntent({...state, status: null}, intent, nowMs));
  }
}

/** Intents that only change what the screen shows: selection, tabs, sort, scrolling, overlays, filter. */
function screenIntent(state: DashboardState, intent: Intent, nowMs: number): DashboardState {
  switch (intent.type) {
    case 'select-by':
      return selectIndex(state, Math.max(0, selectedIndex(state)) + intent.rows);
    case 'select-page':
      return selectIndex(
        state,
        Math.max(0, selectedIndex(state)) + intent.pages * layoutOf(state).listBodyRows,
      );
    case 'select-first':
      return selectIndex(state, 0);
    case 'select-last':
      return selectIndex(state, state.vms.length - 1);
    case 'select-row':
      return state.listOffset + intent.row < state.vms.length
        ? selectIndex(state, state.listOffset + intent.row)
        : state;
    case 'tab':
      return {...state, tab: intent.tab, eventsBack: 0};
    case 'tab-step':
      return {
        ...state,
        tab: TABS[(TABS.indexOf(state.tab) + intent.step + TABS.length) % TABS.length]!,
        eventsBack: 0,
      };
    case 'sort-step': {
      const index = (SORT_KEYS.indexOf(state.sortKey) + intent.step + SORT_KEYS.length) % SORT_KEYS.length;
      return sorted(state, SORT_KEYS[index]!, state.isSortDescending, nowMs);
    }
    case 'sort-invert':
      return sorted(state, state.sortKey, !state.isSortDescending, nowMs);
    case 'events-scroll':
      return {...state, eventsBack: clampEventsBack(state, state.eventsBack + intent.events)};
    case 'click':
      return clicked(state, intent.column, intent.row);
    case 'wheel':
      return intent.row >= layoutOf(state).detailTop && state.tab === 'events'
        ? {...state, eventsBack: clampEventsBack(state, state.eventsBack - intent.rows)}
        : selectIndex(state, Math.max(0, selectedIndex(state)) + intent.rows);
    default:
      return overlayIntent(state, intent, nowMs);
  }
}

/** Listed again by `sortKey`, the status line naming it (the column may be one the width hid). */
function sorted(
  state: DashboardState,
  sortKey: SortKey,
  isDescending: boolean,
  nowMs: number,
): DashboardState {
  const next = relist({...state, sortKey, isSortDescending: isDescending}, state.view.world.vms);
  return withStatus(next, sortText(sortKey, isDescending), 'info', nowMs);
}

function overlayIntent(state: DashboardState, intent: Intent, nowMs: number): DashboardState {
  switch (intent.type) {
    case 'help-open':
      return {...state, overlay: {kind: 'help', offset: 0}};
    case 'help-scroll':
      return helpScrolled(state, intent.by, intent.unit);
    case 'close':
      if (state.overlay.kind !== 'none') return {...state, overlay: {kind: 'none'}};
      if (state.filter === '') return withStatus(state, 'nothing to close', 'info', nowMs);
      return withStatus(
        relist({...state, filter: ''}, state.view.world.vms),
        'filter cleared',
        'info',
        nowMs,
      );
    case 'filter-open':
      return {...state, overlay: {kind: 'filter'}};
    case 'filter-type': {
      // By code points, so a cut never splits a character in two (an emoji is two UTF-16 units).
      const typed = Array.from(state.filter + intent.text);
      const next = relist(
        {...state, filter: typed.slice(0, FILTER_LENGTH_MAX).join('')},
        state.view.world.vms,
      );
      return typed.length > FILTER_LENGTH_MAX
        ? withStatus(
            next,
            `the filter holds ${FILTER_LENGTH_MAX} characters; the rest was not typed`,
            'warning',
            nowMs,
          )
        : next;
    }
    case 'filter-erase':
      return relist({...state, filter: Array.from(state.filter).slice(0, -1).join('')}, state.view.world.vms);
    case 'filter-accept':
      return {...state, overlay: {kind: 'none'}};
    case 'filter-clear':
      return relist({...state, filter: '', overlay: {kind: 'none'}}, state.view.world.vms);
    default:
      return state;
  }
}

function helpScrolled(state: DashboardState, by: number, unit: 'line' | 'page' | 'end'): DashboardState {
  if (state.overlay.kind !== 'help') return state;
  const rows = helpBodyRows(layoutOf(state).bodyHeight);
  const maxOffset = Math.max(0, HELP_LINES.length - rows);
  const step = unit === 'line' ? by : unit === 'page' ? by * rows : by * maxOffset;
  const offset = Math.max(0, Math.min(maxOffset, state.overlay.offset + step));
  return {...state, overlay: {kind: 'help', offset}};
}

/** A click on a VM row highlights it; a click on a tab opens it. */
function clicked(state: DashboardState, column: number, row: number): DashboardState {
  const layout = layoutOf(state);
  const listRow = row - layout.listTop - 1;
  if (listRow >= 0 && listRow < layout.listBodyRows)
    return screenIntent(state, {type: 'select-row', row: listRow}, 0);
  if (row !== layout.detailTop) return state;
  const index = tabStrip(state.tab).spans.findIndex(([start, end]) => column >= start && column < end);
  return index >= 0 ? {...state, tab: TABS[index]!, eventsBack: 0} : state;
}

/** `back` held between the newest event (0) and the oldest on the events tab's top line. */
function clampEventsBack(state: DashboardState, back: number): number {
  const {columns} = state.size;
  const {bodyHeight} = detailLines(selectedSnapshot(state), 'events', columns, layoutOf(state).detailHeight);
  const events = relevantEvents(state.view.events, state.selectedVm);
  return Math.max(0, Math.min(back, eventsBackMax(events, columns, bodyHeight)));
}

/** The events scroll held within the log as it is now drawn (a new snapshot, a new size). */
function withEventsBackHeld(state: DashboardState): DashboardState {
  return state.eventsBack === 0 ? state : {...state, eventsBack: clampEventsBack(state, state.eventsBack)};
}

/** A new snapshot: list it again, report outcomes of commands, refresh an open picker. */
function viewArrived(state: DashboardState, view: DashboardState['view'], nowMs: number): Step {
  let next = relist({...state, view}, view.world.vms);
  if (view.notice && view.notice !== state.shownNotice)
    next = {...withStatus(next, view.notice, 'warning', nowMs), shownNotice: view.notice};
  next = followUp(next, nowMs);
  next = withEventsBackHeld(next);
  const overlay = next.overlay;
  return overlay.kind === 'picker'
    ? {state: next, effects: [{kind: 'preview', request: {kind: 'migrate', vm: overlay.vm, to: null}}]}
    : stay(next);
}

/** The speed after `+`/`-`; at a bound it says so, as the key did nothing more. */
function speedText(speed: number): string {
  const bound = speedBoundOf(speed);
  return bound
    ? `speed ${formatSpeed(speed)}: the ${bound} (${speedRangeText('x')})`
    : `speed ${formatSpeed(speed)}`;
}
