import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import type {Tab} from './dashboard-state.js';
import {DevicesTab} from './devices-tab.js';
import {EventsTab} from './events-tab.js';
import {detailLines} from './detail-header.js';
import {MigrationTab} from './migration-tab.js';
import {SwiotlbTab} from './swiotlb-tab.js';
import type {Theme} from './theme.js';
import {steady} from './steady.js';

export interface DetailPanelProps {
  readonly vm: VmSnapshot | undefined;
  readonly events: readonly WorldEvent[];
  readonly tab: Tab;
  readonly eventsBack: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** The selected VM's detail: a tab line, then the open tab. */
export function DetailPanel({vm, events, tab, eventsBack, width, height, theme}: DetailPanelProps) {
  const failure = vm?.security.state === 'failed' ? vm.security.failure : null;
  const {tabs, header, notices, bodyHeight} = detailLines(vm, tab, width, height);
  const [first = '', ...further] = header;
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <DetailHeading
        tabs={tabs}
        first={first}
        further={further}
        notices={notices}
        noticeColor={failure ? theme.failed : theme.undeclared}
        accent={theme.accent}
      />
      {!vm ? null : tab === 'devices' ? (
        <DevicesTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : tab === 'swiotlb' ? (
        <SwiotlbTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : tab === 'migration' ? (
        <MigrationTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : (
        <EventsTab
          events={events}
          vm={vm.name}
          back={eventsBack}
          width={width}
          height={bodyHeight}
          theme={theme}
        />
      )}
    </Box>
  );
}

interface DetailHeadingProps {
  readonly tabs: string;
  /** The first header line, starting with the tab strip. */
  readonly first: string;
  readonly further: readonly string[];
  readonly notices: readonly string[];
  readonly noticeColor: string | undefined;
  readonly accent: string | undefined;
}

/**
 * The tab strip, the VM's facts and its notice: the same from frame to frame while the selection
 * stays, so they are drawn again only when their lines change, not with every snapshot.
 */
const DetailHeading = steady(function DetailHeading({
  tabs,
  first,
  further,
  notices,
  noticeColor,
  accent,
}: DetailHeadingProps) {
  return (
    <>
      <Text wrap="truncate" bold>
        <Text color={accent}>{tabs}</Text>
        {first.slice(tabs.length)}
      </Text>
      {further.map((line, index) => (
        <Text key={index} wrap="truncate" bold>
          {line}
        </Text>
      ))}
      {notices.map((line, index) => (
        <Text key={`notice-${index}`} color={noticeColor} wrap="truncate">
          {line}
        </Text>
      ))}
    </>
  );
});
