import {Box, useWindowSize} from 'ink';
import {useEffect, useMemo, useState, useSyncExternalStore} from 'react';
import {Banner, KeyBar, StatusLine, TooSmall} from './chrome.js';
import {layoutList, type ListLayout} from './column-layout.js';
import {DashboardController} from './dashboard-controller.js';
import {isTooSmall, layoutOf, type DashboardLayout} from './dashboard-layout.js';
import type {DashboardCommands, DashboardPreferences, DashboardSource} from './dashboard-model.js';
import {selectedSnapshot, type DashboardState} from './dashboard-state.js';
import {DetailPanel} from './detail-panel.js';
import {ConfirmDialog, FilterBar, HelpOverlay, HostPicker} from './overlays.js';
import {SummaryBar} from './summary-bar.js';
import type {Theme} from './theme.js';
import {useDashboardKeys} from './key-input.js';
import {VM_COLUMNS} from './vm-columns.js';
import {VmList} from './vm-list.js';

export {MIN_COLUMNS, MIN_ROWS} from './dashboard-layout.js';

export interface DashboardProps {
  readonly source: DashboardSource;
  readonly commands: DashboardCommands;
  readonly theme: Theme;
  readonly preferences?: Partial<DashboardPreferences>;
  /** Overrides the terminal size (tests; ink-testing-library's stdout has no rows). */
  readonly size?: {readonly columns: number; readonly rows: number};
  /** Wall clock in milliseconds, for ageing status messages. */
  readonly now?: () => number;
}

/** The whole screen, exactly the terminal's height: summary, VM list, detail tabs, status line, key bar. */
export function Dashboard({source, commands, theme, preferences, size, now}: DashboardProps) {
  const terminal = useWindowSize();
  const columns = size?.columns ?? terminal.columns;
  const rows = size?.rows ?? terminal.rows;
  const [controller] = useState(
    () =>
      new DashboardController({
        source,
        commands,
        preferences,
        size: {columns, rows},
        now: now ?? (() => performance.now()),
      }),
  );
  useEffect(() => () => controller.close(), [controller]);
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  useDashboardKeys(controller.send);
  useEffect(() => {
    if (state.size.columns !== columns || state.size.rows !== rows)
      controller.send({type: 'resize', columns, rows});
  }, [controller, columns, rows, state.size.columns, state.size.rows]);
  useEffect(() => {
    commands.savePreferences({
      selectedVm: state.selectedVm,
      tab: state.tab,
      sortKey: state.sortKey,
      isSortDescending: state.isSortDescending,
    });
  }, [commands, state.selectedVm, state.tab, state.sortKey, state.isSortDescending]);
  const sortMarker = state.isSortDescending ? 'v' : '^';
  const list = useMemo(
    () => layoutList(VM_COLUMNS, state.vms, theme, columns - 1, {key: state.sortKey, marker: sortMarker}),
    [state.vms, theme, columns, state.sortKey, sortMarker],
  );
  if (isTooSmall({columns, rows})) return <TooSmall columns={columns} rows={rows} theme={theme} />;
  const layout = layoutOf({...state, size: {columns, rows}});
  const {overlay, view} = state;
  return (
    // Every box clips only vertically: Ink re-slices each line of a horizontally clipped box, every
    // frame, and the views already cut their text to the width (a view test holds them to it).
    <Box flexDirection="column" width={columns} height={rows} overflowY="hidden">
      <SummaryBar
        world={view.world}
        speed={view.speed}
        achievedSpeed={view.achievedSpeed}
        shownCount={state.vms.length}
        qmpClients={view.qmpClients}
        width={columns}
        theme={theme}
      />
      {overlay.kind === 'help' ? (
        <HelpOverlay width={columns} height={layout.bodyHeight} offset={overlay.offset} theme={theme} />
      ) : (
        <DashboardBody state={state} list={list} layout={layout} width={columns} theme={theme} />
      )}
      <Banner lines={layout.bannerLines} width={columns} theme={theme} />
      <StatusLine status={state.status} width={columns} theme={theme} />
      <KeyBar width={columns} theme={theme} isHelp={overlay.kind === 'help'} />
    </Box>
  );
}

/** Between the summary and the status line: the list, the filter line, and the detail or a question. */
function DashboardBody({
  state,
  list,
  layout,
  width,
  theme,
}: {
  readonly state: DashboardState;
  readonly list: ListLayout;
  readonly layout: DashboardLayout;
  readonly width: number;
  readonly theme: Theme;
}) {
  const {overlay, view} = state;
  const columns = width;
  return (
    <>
      <VmList
        vms={state.vms}
        layout={list}
        selectedVm={state.selectedVm}
        offset={state.listOffset}
        bodyRows={layout.listBodyRows}
        hasFooter={layout.hasListFooter}
        width={columns}
        height={layout.listHeight}
        theme={theme}
      />
      {layout.filterRow !== null ? (
        <FilterBar
          filter={state.filter}
          isEditing={overlay.kind === 'filter'}
          shownCount={state.vms.length}
          totalCount={view.world.vms.length}
          width={columns}
          theme={theme}
        />
      ) : null}
      <DetailArea state={state} height={layout.detailHeight} width={columns} theme={theme} />
    </>
  );
}

/** The detail rows: a question when one is open (a host to pick, a yes or no), else the selected VM's tab. */
function DetailArea({
  state,
  height,
  width,
  theme,
}: {
  readonly state: DashboardState;
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}) {
  const {overlay} = state;
  if (overlay.kind === 'picker')
    return (
      <HostPicker
        vm={overlay.vm}
        checks={overlay.checks}
        host={overlay.host}
        width={width}
        height={height}
        theme={theme}
      />
    );
  if (overlay.kind === 'confirm')
    return (
      <Box flexDirection="column" height={height}>
        <ConfirmDialog question={overlay.question} width={width} height={height} theme={theme} />
      </Box>
    );
  return (
    <DetailPanel
      vm={selectedSnapshot(state)}
      events={state.view.events}
      tab={state.tab}
      eventsBack={state.eventsBack}
      width={width}
      height={height}
      theme={theme}
    />
  );
}
