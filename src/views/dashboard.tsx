import {Box, useWindowSize} from 'ink';
import {useEffect, useMemo, useReducer, useSyncExternalStore} from 'react';
import type {DashboardCommands, DashboardPreferences, DashboardSource} from './dashboard-model.js';
import {dashboardReducer, initialDashboardState} from './dashboard-state.js';
import {DetailPanel} from './detail-panel.js';
import {KeyBar, StatusLine, TooSmall} from './chrome.js';
import {ConfirmDialog, FilterBar, helpBodyRows, helpLines, HelpOverlay, HostPicker} from './overlays.js';
import {SummaryBar} from './summary-bar.js';
import type {Theme} from './theme.js';
import {useDashboardKeys} from './use-dashboard-keys.js';
import {VmList} from './vm-list.js';
import {orderVms} from './vm-order.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface DashboardProps {
  readonly source: DashboardSource;
  readonly commands: DashboardCommands;
  readonly theme: Theme;
  readonly preferences?: Partial<DashboardPreferences>;
  /** Overrides the terminal size (tests; ink-testing-library's stdout has no rows). */
  readonly size?: {readonly columns: number; readonly rows: number};
}

/** The whole screen, exactly the terminal's height: summary, VM list, detail tabs, status line, key bar. */
export function Dashboard({source, commands, theme, preferences, size}: DashboardProps) {
  const view = useSyncExternalStore(source.subscribe, source.getView);
  const [state, dispatch] = useReducer(dashboardReducer, preferences, initialDashboardState);
  const terminal = useWindowSize();
  const columns = size?.columns ?? terminal.columns;
  const rows = size?.rows ?? terminal.rows;
  const vms = useMemo(
    () => orderVms(view.world.vms, state.filter, state.sortKey, state.isSortDescending),
    [view.world.vms, state.filter, state.sortKey, state.isSortDescending],
  );
  const selected = vms.find((vm) => vm.name === state.selectedVm) ?? vms[0];
  const available = rows - 3;
  const listHeight = Math.min(
    vms.length + 1 + (vms.length === 0 ? 1 : 0),
    Math.max(4, Math.floor(available * 0.45)),
  );
  const helpLineCount = useMemo(() => helpLines(theme).length, [theme]);
  const helpRows = helpBodyRows(available);
  useDashboardKeys({
    state,
    dispatch,
    commands,
    vms,
    selected,
    pageRows: Math.max(1, listHeight - 2),
    help: {rows: helpRows, maxOffset: Math.max(0, helpLineCount - helpRows)},
  });
  useEffect(() => {
    if (view.notice) dispatch({type: 'status', status: {text: view.notice, tone: 'warning'}});
  }, [view.notice]);
  useEffect(() => {
    commands.savePreferences({
      selectedVm: selected?.name ?? null,
      tab: state.tab,
      sortKey: state.sortKey,
      isSortDescending: state.isSortDescending,
    });
  }, [commands, selected?.name, state.tab, state.sortKey, state.isSortDescending]);
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) return <TooSmall columns={columns} rows={rows} />;
  const overlay = state.overlay;
  const filterRows = overlay.kind === 'filter' ? 1 : 0;
  const detailHeight = Math.max(3, available - listHeight - filterRows);
  return (
    // Every box clips only vertically: Ink re-slices each line of a horizontally clipped box, every
    // frame, and the views already cut their text to the width (a view test holds them to it).
    <Box flexDirection="column" width={columns} height={rows} overflowY="hidden">
      <SummaryBar
        world={view.world}
        speed={view.speed}
        qmpClients={view.qmpClients}
        width={columns}
        theme={theme}
      />
      {overlay.kind === 'help' ? (
        <HelpOverlay width={columns} height={available} offset={overlay.offset} theme={theme} />
      ) : (
        <>
          <VmList
            vms={vms}
            selectedVm={selected?.name ?? null}
            width={columns}
            height={listHeight}
            theme={theme}
            sortKey={state.sortKey}
            isSortDescending={state.isSortDescending}
          />
          {overlay.kind === 'filter' ? (
            <FilterBar draft={overlay.draft} width={columns} theme={theme} />
          ) : null}
          {overlay.kind === 'picker' ? (
            <HostPicker
              vm={overlay.vm}
              checks={commands.migrationChecks(overlay.vm)}
              index={overlay.index}
              width={columns}
              height={detailHeight}
              theme={theme}
            />
          ) : overlay.kind === 'confirm' ? (
            <Box flexDirection="column" height={detailHeight}>
              <ConfirmDialog question={overlay.question} width={columns} theme={theme} />
            </Box>
          ) : (
            <DetailPanel
              vm={selected}
              events={view.events}
              tab={state.tab}
              width={columns}
              height={detailHeight}
              theme={theme}
            />
          )}
        </>
      )}
      <StatusLine status={state.status} banner={view.banner} width={columns} theme={theme} />
      <KeyBar width={columns} theme={theme} />
    </Box>
  );
}
