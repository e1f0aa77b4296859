import type {CommandResult} from '../host/guest.js';
import type {CommandPreview, DashboardView, PreviewRequest, VmCommand} from './dashboard-model.js';
import type {Tab} from './dashboard-state.js';
import type {KeyPress} from './key-input.js';

/** Commands on the highlighted VM; the reducer reads which VM when it handles the intent. */
export type VmIntent =
  | 'secure'
  | 'unsecure'
  | 'reboot'
  | 'pause-toggle'
  | 'balloon-inflate'
  | 'balloon-deflate'
  | 'policy-cycle'
  | 'workload-cycle'
  | 'migrate'
  | 'migrate-cancel'
  /** QEMU's ways out of a pre-copy that does not converge (the migration tab's M, D, A). */
  | 'raise-max-bandwidth'
  | 'raise-downtime-limit'
  | 'restart-auto-converge';

/** What the user (or the world) asks of the dashboard, named; keys are mapped to these. */
export type Intent =
  | {readonly type: 'key'; readonly key: KeyPress}
  | {readonly type: 'select-by'; readonly rows: number}
  | {readonly type: 'select-page'; readonly pages: 1 | -1}
  | {readonly type: 'select-first'}
  | {readonly type: 'select-last'}
  /** A row of the list on screen (0 is the first VM row shown). */
  | {readonly type: 'select-row'; readonly row: number}
  | {readonly type: 'tab'; readonly tab: Tab}
  | {readonly type: 'tab-step'; readonly step: 1 | -1}
  | {readonly type: 'sort-step'; readonly step: 1 | -1}
  | {readonly type: 'sort-invert'}
  | {readonly type: 'events-scroll'; readonly events: number}
  | {readonly type: 'help-open'}
  /** `by` lines, pages, or (unit 'end') to the first (-1) or last (1) line. */
  | {readonly type: 'help-scroll'; readonly by: number; readonly unit: 'line' | 'page' | 'end'}
  | {readonly type: 'close'}
  | {readonly type: 'filter-open'}
  | {readonly type: 'filter-type'; readonly text: string}
  | {readonly type: 'filter-erase'}
  | {readonly type: 'filter-accept'}
  | {readonly type: 'filter-clear'}
  | {readonly type: 'picker-move'; readonly by: number}
  | {readonly type: 'picker-choose'}
  | {readonly type: 'answer'; readonly isYes: boolean}
  | {readonly type: 'vm'; readonly command: VmIntent}
  | {readonly type: 'speed'; readonly factor: number}
  | {readonly type: 'quit'}
  | {readonly type: 'suspend'}
  | {readonly type: 'click'; readonly column: number; readonly row: number}
  | {readonly type: 'wheel'; readonly rows: number; readonly row: number}
  | {readonly type: 'say'; readonly text: string; readonly tone: 'info' | 'warning'}
  // From the world and from the effects the controller ran:
  | {readonly type: 'view'; readonly view: DashboardView}
  | {readonly type: 'resize'; readonly columns: number; readonly rows: number}
  | {readonly type: 'previewed'; readonly request: PreviewRequest; readonly preview: CommandPreview}
  | {readonly type: 'ran'; readonly command: VmCommand; readonly result: CommandResult}
  | {readonly type: 'speed-changed'; readonly speed: number};

/** What the reducer asks the outside world to do; the controller does it and reports back. */
export type Effect =
  | {readonly kind: 'preview'; readonly request: PreviewRequest}
  | {readonly kind: 'run'; readonly command: VmCommand}
  | {readonly kind: 'speed'; readonly factor: number}
  | {readonly kind: 'quit'}
  | {readonly kind: 'suspend'};
