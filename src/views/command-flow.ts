import {DMA_POLICIES, WORKLOADS} from '../host/config/world-schema.js';
import type {CommandResult} from '../host/guest.js';
import type {RefusalCode} from '../host/lifecycle/lifecycle.js';
import {MiB} from '../core/units.js';
import type {CommandPreview, PreviewRequest, VmCommand} from './dashboard-model.js';
import type {Effect, VmIntent} from './dashboard-intents.js';
import {selectedSnapshot, type DashboardState, type StatusMessage} from './dashboard-state.js';
import type {VmSnapshot, WayOutCode} from '../host/snapshot-types.js';
import {formatBytes} from './format.js';
import {addWatch, watchFor} from './status-watch.js';

/** How much one press of b or B changes the balloon. */
export const BALLOON_STEP_BYTES = 256 * MiB;

export interface Step {
  readonly state: DashboardState;
  readonly effects: readonly Effect[];
}

export function stay(state: DashboardState): Step {
  return {state, effects: []};
}

export function withStatus(
  state: DashboardState,
  text: string,
  tone: StatusMessage['tone'],
  nowMs: number,
): DashboardState {
  return {...state, status: {text, tone, shownAtMs: nowMs}};
}

/** A command on the highlighted VM, read from this state: the VM the user sees highlighted now. */
export function vmIntent(state: DashboardState, intent: VmIntent, nowMs: number): Step {
  const vm = selectedSnapshot(state);
  if (!vm) return stay(withStatus(state, 'no VM selected', 'warning', nowMs));
  const preview = (request: PreviewRequest): Step => ({state, effects: [{kind: 'preview', request}]});
  const run = (command: VmCommand): Step => ({state, effects: [{kind: 'run', command}]});
  const name = vm.name;
  switch (intent) {
    case 'secure':
    case 'unsecure':
    case 'reboot':
      return preview({kind: intent, vm: name});
    case 'pause-toggle':
      return run({kind: vm.state === 'paused' ? 'resume' : 'pause', vm: name});
    case 'balloon-inflate':
    case 'balloon-deflate': {
      const step = intent === 'balloon-inflate' ? BALLOON_STEP_BYTES : -BALLOON_STEP_BYTES;
      const targetBytes = Math.max(0, (vm.balloon?.targetBytes ?? 0) + step);
      return preview({kind: 'balloon', vm: name, targetBytes, isForced: false});
    }
    case 'policy-cycle': {
      const policy = DMA_POLICIES[(DMA_POLICIES.indexOf(vm.dmaPolicy) + 1) % DMA_POLICIES.length]!;
      return run({kind: 'policy', vm: name, policy});
    }
    case 'workload-cycle': {
      const workload = WORKLOADS[(WORKLOADS.indexOf(vm.workload) + 1) % WORKLOADS.length]!;
      return run({kind: 'workload', vm: name, workload});
    }
    case 'migrate':
      return preview({kind: 'migrate', vm: name, to: null});
    case 'migrate-cancel':
      return run({kind: 'migrate-cancel', vm: name});
    case 'raise-max-bandwidth':
    case 'raise-downtime-limit':
    case 'restart-auto-converge':
      return wayOutIntent(state, vm, WAY_OF_INTENT[intent], nowMs);
  }
}

const WAY_OF_INTENT = {
  'raise-max-bandwidth': 'max-bandwidth',
  'raise-downtime-limit': 'downtime-limit',
  'restart-auto-converge': 'auto-converge',
} as const;

/**
 * One of QEMU's ways out, with the value the host proposed in this very snapshot: set a
 * parameter of the running migration, or restart it with auto-converge. The host's dry run decides.
 */
function wayOutIntent(state: DashboardState, vm: VmSnapshot, code: WayOutCode, nowMs: number): Step {
  const way = vm.migration?.convergence?.waysOut.find((candidate) => candidate.code === code);
  if (!way)
    return stay(
      withStatus(state, `${code} ${vm.name}: no migration in pre-copy to change`, 'warning', nowMs),
    );
  if (!way.isAvailable) return stay(withStatus(state, `${code} ${vm.name}: ${way.reason}`, 'warning', nowMs));
  const request: VmCommand =
    code === 'auto-converge'
      ? {kind: 'migrate-restart', vm: vm.name, params: {autoConverge: true}}
      : {
          kind: 'migrate-set-parameters',
          vm: vm.name,
          params:
            code === 'max-bandwidth'
              ? {maxBandwidthBytesPerSecond: BigInt(Math.round(Number(way.proposed)))}
              : {downtimeLimitMs: Number(way.proposed)},
        };
  return {state, effects: [{kind: 'preview', request}]};
}

const QUESTIONS: Partial<Record<PreviewRequest['kind'], string>> = {
  secure: 'Go secure?',
  unsecure: 'Back to normal?',
  reboot: 'Reboot?',
  'migrate-set-parameters': 'Set it?',
  'migrate-restart': 'Restart it?',
};

/** The host's dry run came back: ask (saying what will happen), act, or say why not. */
export function previewed(
  state: DashboardState,
  request: PreviewRequest,
  preview: CommandPreview,
  nowMs: number,
): Step {
  if (request.kind === 'migrate' && request.to === null)
    return pickerPreviewed(state, request.vm, preview, nowMs);
  if (request.kind === 'balloon') {
    if (preview.ok) return {state, effects: [{kind: 'run', command: request}]};
    if (preview.code !== 'memory-protected') return refused(state, request, preview.reason, nowMs);
    const question = `${request.vm}: ${preview.ifForced}. Inflate to ${formatBytes(request.targetBytes)} anyway?`;
    return stay({
      ...state,
      overlay: {kind: 'confirm', question, command: {...request, isForced: true}},
    });
  }
  const ask = QUESTIONS[request.kind];
  if (!preview.ok) return refused(state, request, withRefusalKey(preview.reason, preview.code), nowMs);
  // Nothing to warn of (a higher max-bandwidth): no question.
  if (!ask || request.kind === 'migrate' || preview.consequences.length === 0)
    return {state, effects: [{kind: 'run', command: request}]};
  const what = preview.consequences.map((consequence) => consequence.text).join('; ');
  return stay({
    ...state,
    overlay: {kind: 'confirm', question: `${request.vm}: ${what}. ${ask}`, command: request},
  });
}

function refused(state: DashboardState, request: PreviewRequest, reason: string, nowMs: number): Step {
  return stay(withStatus(state, `${request.kind} ${request.vm} refused: ${reason}`, 'warning', nowMs));
}

/**
 * The host names no key: the dashboard adds its own, the way out of a refusal by its code, what
 * follows an answer by the command. Two maps, so that a code named like a command picks no key.
 */
const KEY_BY_REFUSAL: Partial<Record<RefusalCode, string>> = {migrating: ' (c)'};
const KEY_BY_COMMAND: Partial<Record<VmCommand['kind'], string>> = {policy: ' (r)'};
const withRefusalKey = (text: string, code: RefusalCode | undefined) =>
  `${text}${(code && KEY_BY_REFUSAL[code]) ?? ''}`;
const withCommandKey = (text: string, kind: VmCommand['kind']) => `${text}${KEY_BY_COMMAND[kind] ?? ''}`;

function pickerPreviewed(state: DashboardState, vm: string, preview: CommandPreview, nowMs: number): Step {
  const overlay = state.overlay;
  const isOpen = overlay.kind === 'picker' && overlay.vm === vm;
  if (!preview.ok) {
    const closed = isOpen ? {...state, overlay: {kind: 'none' as const}} : state;
    return stay(withStatus(closed, `migrate ${vm} refused: ${preview.reason}`, 'warning', nowMs));
  }
  if (preview.targets.length === 0)
    return stay(withStatus(state, `migrate ${vm}: there is no other host`, 'warning', nowMs));
  const kept = isOpen && preview.targets.some((check) => check.host === overlay.host) ? overlay.host : null;
  const host = kept ?? preview.targets[0]!.host;
  return stay({...state, overlay: {kind: 'picker', vm, checks: preview.targets, host}});
}

/** Up/Down in the picker: the highlight moves by host, within the list. */
export function pickerMove(state: DashboardState, by: number): Step {
  const overlay = state.overlay;
  if (overlay.kind !== 'picker') return stay(state);
  const index = Math.max(
    0,
    overlay.checks.findIndex((check) => check.host === overlay.host),
  );
  const next = overlay.checks[Math.max(0, Math.min(overlay.checks.length - 1, index + by))];
  return stay({...state, overlay: {...overlay, host: next?.host ?? null}});
}

/** Enter in the picker: migrate to a host that would accept; a refusing one says why and stays open. */
export function pickerChoose(state: DashboardState, nowMs: number): Step {
  const overlay = state.overlay;
  if (overlay.kind !== 'picker') return stay(state);
  const check = overlay.checks.find((candidate) => candidate.host === overlay.host);
  if (!check) return stay({...state, overlay: {kind: 'none'}});
  if (check.blockedReasons.length > 0)
    return stay(
      withStatus(state, `${check.host} would refuse: ${check.blockedReasons.join('; ')}`, 'warning', nowMs),
    );
  return {
    state: {...state, overlay: {kind: 'none'}},
    effects: [{kind: 'run', command: {kind: 'migrate', vm: overlay.vm, to: check.host}}],
  };
}

/** y runs the command the question was about; anything else cancels. */
export function answer(state: DashboardState, isYes: boolean, nowMs: number): Step {
  const overlay = state.overlay;
  if (overlay.kind !== 'confirm') return stay(state);
  const closed: DashboardState = {...state, overlay: {kind: 'none'}};
  if (!isYes) return stay(withStatus(closed, 'cancelled', 'info', nowMs));
  return {state: closed, effects: [{kind: 'run', command: overlay.command}]};
}

/** The host answered a command: say so, and follow its outcome when it comes later. */
export function ran(state: DashboardState, command: VmCommand, result: CommandResult, nowMs: number): Step {
  if (!result.ok) {
    const reason = withRefusalKey(result.reason, result.code);
    return stay(withStatus(state, `${command.kind} ${command.vm} refused: ${reason}`, 'warning', nowMs));
  }
  const message = result.message ? withCommandKey(result.message, command.kind) : 'ok';
  const said = withStatus(state, `${command.kind} ${command.vm}: ${message}`, 'info', nowMs);
  const watch = watchFor(command, state.view.world.tUs, said.status);
  return stay(watch ? {...said, watches: addWatch(said.watches, watch)} : said);
}
