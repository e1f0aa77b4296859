/** The detail tabs, in order (keys 1–4). */
export const TABS = ['devices', 'swiotlb', 'migration', 'events'] as const;
export type Tab = (typeof TABS)[number];

/** Columns the VM list can sort by, in the order `<` and `>` move through them. */
export const SORT_KEYS = ['name', 'host', 'state', 'security', 'bounce', 'io'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type Overlay =
  | {readonly kind: 'none'}
  /** `offset`: the first help line shown (the help scrolls where the terminal is short). */
  | {readonly kind: 'help'; readonly offset: number}
  | {readonly kind: 'filter'; readonly draft: string}
  | {readonly kind: 'picker'; readonly vm: string; readonly index: number}
  | {readonly kind: 'confirm'; readonly question: string; readonly action: ConfirmableAction};

/** Commands that ask first. */
export type ConfirmableAction =
  | {readonly kind: 'reboot'; readonly vm: string}
  | {readonly kind: 'secure'; readonly vm: string}
  | {readonly kind: 'unsecure'; readonly vm: string}
  | {readonly kind: 'balloon-force'; readonly vm: string; readonly targetBytes: number}
  | {readonly kind: 'quit'};

export interface StatusMessage {
  readonly text: string;
  readonly tone: 'info' | 'warning' | 'error';
}

export interface DashboardState {
  readonly selectedVm: string | null;
  readonly tab: Tab;
  readonly sortKey: SortKey;
  readonly isSortDescending: boolean;
  readonly filter: string;
  readonly overlay: Overlay;
  readonly status: StatusMessage | null;
}

export type DashboardAction =
  | {readonly type: 'select'; readonly vm: string | null}
  /** Moves the selection by `by` rows within `order` (the listed VMs), from wherever it is now. */
  | {readonly type: 'select-relative'; readonly order: readonly string[]; readonly by: number}
  | {readonly type: 'tab'; readonly tab: Tab}
  | {readonly type: 'tab-step'; readonly step: 1 | -1}
  | {readonly type: 'sort-step'; readonly step: 1 | -1}
  | {readonly type: 'sort-invert'}
  | {readonly type: 'overlay'; readonly overlay: Overlay}
  | {readonly type: 'filter'; readonly filter: string}
  | {readonly type: 'status'; readonly status: StatusMessage | null};

export function initialDashboardState(
  preferences: Partial<Pick<DashboardState, 'selectedVm' | 'tab' | 'sortKey' | 'isSortDescending'>> = {},
): DashboardState {
  return {
    selectedVm: preferences.selectedVm ?? null,
    tab: preferences.tab ?? 'devices',
    sortKey: preferences.sortKey ?? 'name',
    isSortDescending: preferences.isSortDescending ?? false,
    filter: '',
    overlay: {kind: 'none'},
    status: null,
  };
}

/** Pure state transitions of the dashboard's own (view) state; host state is never here. */
export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'select':
      return {...state, selectedVm: action.vm};
    case 'select-relative': {
      if (action.order.length === 0) return state;
      const current = Math.max(0, action.order.indexOf(state.selectedVm ?? action.order[0]!));
      const next = Math.max(0, Math.min(action.order.length - 1, current + action.by));
      return {...state, selectedVm: action.order[next]!};
    }
    case 'tab':
      return {...state, tab: action.tab};
    case 'tab-step':
      return {...state, tab: TABS[(TABS.indexOf(state.tab) + action.step + TABS.length) % TABS.length]!};
    case 'sort-step':
      return {
        ...state,
        sortKey:
          SORT_KEYS[(SORT_KEYS.indexOf(state.sortKey) + action.step + SORT_KEYS.length) % SORT_KEYS.length]!,
      };
    case 'sort-invert':
      return {...state, isSortDescending: !state.isSortDescending};
    case 'overlay':
      return {...state, overlay: action.overlay};
    case 'filter':
      return {...state, filter: action.filter};
    case 'status':
      return {...state, status: action.status};
  }
}
