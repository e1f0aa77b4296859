import {useInput, type Key} from 'ink';
import type {Dispatch} from 'react';
import {DMA_POLICIES, WORKLOADS} from '../host/config/world-schema.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {MiB} from '../core/units.js';
import {TABS, type ConfirmableAction, type DashboardAction, type DashboardState} from './dashboard-state.js';
import type {DashboardCommands, VmCommand} from './dashboard-model.js';

/** How much one press of b or B changes the balloon. */
export const BALLOON_STEP_BYTES = 256 * MiB;

export interface KeyContext {
  readonly state: DashboardState;
  readonly dispatch: Dispatch<DashboardAction>;
  readonly commands: DashboardCommands;
  /** The VMs as listed (filtered and sorted). */
  readonly vms: readonly VmSnapshot[];
  readonly selected: VmSnapshot | undefined;
  readonly pageRows: number;
  /** The help's visible rows and how far it can scroll. */
  readonly help: {readonly rows: number; readonly maxOffset: number};
}

/** Maps keys to named actions and commands; every key does something visible or says why not. */
export function useDashboardKeys(context: KeyContext): void {
  useInput((input, key) => handleKey(context, input, key));
}

export function handleKey(context: KeyContext, input: string, key: Key): void {
  const {state, dispatch} = context;
  if (key.ctrl && input === 'c') {
    context.commands.quit();
    return;
  }
  if (
    state.overlay.kind !== 'filter' &&
    input.length > 1 &&
    /^[\x20-\x7e]+$/.test(input) &&
    !key.ctrl &&
    !key.meta
  ) {
    // Keys typed faster than they are read arrive together; take them one by one.
    for (const character of input)
      handleKey(context, character, {...key, shift: character !== character.toLowerCase()});
    return;
  }
  switch (state.overlay.kind) {
    case 'filter':
      return filterKey(context, state.overlay.draft, input, key);
    case 'help':
      return helpKey(context, state.overlay.offset, input, key);
    case 'picker':
      return pickerKey(context, state.overlay.vm, state.overlay.index, input, key);
    case 'confirm':
      dispatch({type: 'overlay', overlay: {kind: 'none'}});
      if (input === 'y' || input === 'Y') confirm(context, state.overlay.action);
      else dispatch({type: 'status', status: {text: 'cancelled', tone: 'info'}});
      return;
    case 'none':
      return mainKey(context, input, key);
  }
}

function say(context: KeyContext, text: string, tone: 'info' | 'warning' | 'error' = 'info'): void {
  context.dispatch({type: 'status', status: {text, tone}});
}

function run(context: KeyContext, command: VmCommand): void {
  const result = context.commands.run(command);
  if (result.ok) say(context, `${command.kind} ${command.vm}: ${result.message ?? 'ok'}`);
  else say(context, `${command.kind} ${command.vm} refused: ${result.reason}`, 'warning');
}

function mainKey(context: KeyContext, input: string, key: Key): void {
  const {dispatch, vms} = context;
  const order = vms.map((vm) => vm.name);
  const move = (by: number) => dispatch({type: 'select-relative', order, by});
  if (key.upArrow || input === 'k') return move(-1);
  if (key.downArrow || input === 'j') return move(1);
  if (key.pageUp) return move(-context.pageRows);
  if (key.pageDown) return move(context.pageRows);
  if (key.home || input === 'g') return move(-order.length);
  if (key.end || input === 'G') return move(order.length);
  if (key.tab) return dispatch({type: 'tab-step', step: key.shift ? -1 : 1});
  if (key.return) return dispatch({type: 'tab-step', step: 1});
  if (/^[1-4]$/.test(input)) return dispatch({type: 'tab', tab: TABS[Number(input) - 1]!});
  if (input === 'q') return context.commands.quit();
  if (input === '?') return dispatch({type: 'overlay', overlay: {kind: 'help', offset: 0}});
  if (input === '/')
    return dispatch({type: 'overlay', overlay: {kind: 'filter', draft: context.state.filter}});
  if (input === '<' || input === '>') return dispatch({type: 'sort-step', step: input === '>' ? 1 : -1});
  if (input === 'I') return dispatch({type: 'sort-invert'});
  if (input === '+' || input === '=') return say(context, `speed ${context.commands.changeSpeed(2)}x`);
  if (input === '-' || input === '_') return say(context, `speed ${context.commands.changeSpeed(0.5)}x`);
  if (key.escape) {
    if (context.state.filter) {
      dispatch({type: 'filter', filter: ''});
      return say(context, 'filter cleared');
    }
    return say(context, 'nothing to close');
  }
  if ('surpbBPwmc'.includes(input) && input !== '') return vmKey(context, input);
  say(context, `no action for ${describeKey(input, key)} (? lists the keys)`, 'warning');
}

function vmKey(context: KeyContext, input: string): void {
  const vm = context.selected;
  if (!vm) return say(context, 'no VM selected', 'warning');
  const ask = (question: string, action: ConfirmableAction) =>
    context.dispatch({type: 'overlay', overlay: {kind: 'confirm', question, action}});
  switch (input) {
    case 's':
      return ask(`${vm.name}: kexec into its kernel with svm=on and enter secure mode?`, {
        kind: 'secure',
        vm: vm.name,
      });
    case 'u':
      return ask(`${vm.name}: reboot with svm=off (back to a normal VM)?`, {kind: 'unsecure', vm: vm.name});
    case 'r':
      return ask(`${vm.name}: reboot (svm=${vm.svm ? 'on' : 'off'} stays)?`, {kind: 'reboot', vm: vm.name});
    case 'p':
      return run(context, {kind: vm.state === 'paused' ? 'resume' : 'pause', vm: vm.name});
    case 'b':
    case 'B':
      return balloonKey(context, vm, input === 'b' ? BALLOON_STEP_BYTES : -BALLOON_STEP_BYTES);
    case 'P': {
      const policy = DMA_POLICIES[(DMA_POLICIES.indexOf(vm.dmaPolicy) + 1) % DMA_POLICIES.length]!;
      return run(context, {kind: 'policy', vm: vm.name, policy});
    }
    case 'w': {
      const workload = WORKLOADS[(WORKLOADS.indexOf(vm.workload) + 1) % WORKLOADS.length]!;
      return run(context, {kind: 'workload', vm: vm.name, workload});
    }
    case 'm':
      return context.dispatch({type: 'overlay', overlay: {kind: 'picker', vm: vm.name, index: 0}});
    case 'c':
      return run(context, {kind: 'migrate-cancel', vm: vm.name});
  }
}

function balloonKey(context: KeyContext, vm: VmSnapshot, deltaBytes: number): void {
  if (!vm.balloon) return say(context, `${vm.name} has no virtio-balloon device`, 'warning');
  const targetBytes = Math.max(0, vm.balloon.targetBytes + deltaBytes);
  const isSecure = vm.security.state === 'secure' || vm.security.state === 'transitioning';
  if (isSecure && deltaBytes > 0 && vm.balloon.reasonCode === 'memory-protected') {
    context.dispatch({
      type: 'overlay',
      overlay: {
        kind: 'confirm',
        question: `${vm.name} is secure: the host will reclaim nothing. Inflate anyway?`,
        action: {kind: 'balloon-force', vm: vm.name, targetBytes},
      },
    });
    return;
  }
  run(context, {kind: 'balloon', vm: vm.name, targetBytes, isForced: false});
}

function confirm(context: KeyContext, action: ConfirmableAction): void {
  switch (action.kind) {
    case 'balloon-force':
      return run(context, {kind: 'balloon', vm: action.vm, targetBytes: action.targetBytes, isForced: true});
    case 'quit':
      return context.commands.quit();
    default:
      return run(context, {kind: action.kind, vm: action.vm});
  }
}

function filterKey(context: KeyContext, draft: string, input: string, key: Key): void {
  const {dispatch} = context;
  if (key.escape) {
    dispatch({type: 'filter', filter: ''});
    dispatch({type: 'overlay', overlay: {kind: 'none'}});
    return;
  }
  if (key.return) return dispatch({type: 'overlay', overlay: {kind: 'none'}});
  const next =
    key.backspace || key.delete
      ? draft.slice(0, -1)
      : !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(input)
        ? (draft + input).slice(0, 40)
        : draft;
  dispatch({type: 'overlay', overlay: {kind: 'filter', draft: next}});
  dispatch({type: 'filter', filter: next});
}

function helpKey(context: KeyContext, offset: number, input: string, key: Key): void {
  const {dispatch, help} = context;
  if (key.escape || input === '?' || input === 'q' || key.return)
    return dispatch({type: 'overlay', overlay: {kind: 'none'}});
  const scroll = (by: number) =>
    dispatch({
      type: 'overlay',
      overlay: {kind: 'help', offset: Math.max(0, Math.min(help.maxOffset, offset + by))},
    });
  if (key.downArrow || input === 'j') return scroll(1);
  if (key.upArrow || input === 'k') return scroll(-1);
  if (key.pageDown || input === ' ') return scroll(help.rows);
  if (key.pageUp) return scroll(-help.rows);
  if (key.home || input === 'g') return scroll(-offset);
  if (key.end || input === 'G') return scroll(help.maxOffset);
  say(
    context,
    help.maxOffset > 0 ? 'in the help: j/k or PgUp/PgDn scroll, Esc closes' : 'in the help: Esc or ? closes',
    'warning',
  );
}

function pickerKey(context: KeyContext, vm: string, index: number, input: string, key: Key): void {
  const {dispatch} = context;
  const checks = context.commands.migrationChecks(vm);
  if (key.escape || input === 'q') return dispatch({type: 'overlay', overlay: {kind: 'none'}});
  if (key.upArrow || input === 'k')
    return dispatch({type: 'overlay', overlay: {kind: 'picker', vm, index: Math.max(0, index - 1)}});
  if (key.downArrow || input === 'j')
    return dispatch({
      type: 'overlay',
      overlay: {kind: 'picker', vm, index: Math.min(checks.length - 1, index + 1)},
    });
  if (key.return) {
    dispatch({type: 'overlay', overlay: {kind: 'none'}});
    const check = checks[index];
    if (check) run(context, {kind: 'migrate', vm, to: check.host});
    return;
  }
  say(context, 'in the host picker: ↑↓ choose, Enter migrates, Esc closes', 'warning');
}

function describeKey(input: string, key: Key): string {
  if (key.leftArrow) return '←';
  if (key.rightArrow) return '→';
  if (key.ctrl) return `Ctrl-${input}`;
  if (input === '' || input === undefined) return 'that key';
  return `"${input}"`;
}
