import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {TABS, type Tab} from './dashboard-state.js';
import {DevicesTab} from './devices-tab.js';
import {EventsTab} from './events-tab.js';
import {clip} from './format.js';
import {MigrationTab} from './migration-tab.js';
import {SwiotlbTab} from './swiotlb-tab.js';
import type {Theme} from './theme.js';

export interface DetailPanelProps {
  readonly vm: VmSnapshot | undefined;
  readonly events: readonly WorldEvent[];
  readonly tab: Tab;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** The selected VM's detail: a tab line, then the open tab. */
export function DetailPanel({vm, events, tab, width, height, theme}: DetailPanelProps) {
  const failure = vm?.security.failure ?? null;
  const undeclared = vm?.security.state === 'secure' && vm.security.declared === 'none';
  const notice = failure
    ? `secure transition failed: ${failure}`
    : undeclared
      ? 'secure, but declared launchSecurity: none: management does not know (balloon and migration will surprise it)'
      : null;
  const bodyHeight = Math.max(1, height - 1 - (notice ? 1 : 0));
  const title = vm
    ? ` ${vm.name}: ${vm.workload}, ${vm.vcpus} vCPU, svm=${vm.svm ? 'on' : 'off'}, declared ${vm.security.declared}`
    : ' no VM selected';
  const tabs = TABS.map((name, index) =>
    name === tab ? `[${index + 1} ${name}]` : ` ${index + 1} ${name} `,
  ).join('');
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <Text wrap="truncate" bold>
        <Text color={theme.accent}>{tabs}</Text>
        {clip(title, Math.max(0, width - tabs.length))}
      </Text>
      {notice ? (
        <Text color={failure ? theme.failed : theme.undeclared} wrap="truncate">
          {clip(notice, width)}
        </Text>
      ) : null}
      {!vm ? null : tab === 'devices' ? (
        <DevicesTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : tab === 'swiotlb' ? (
        <SwiotlbTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : tab === 'migration' ? (
        <MigrationTab vm={vm} width={width} height={bodyHeight} theme={theme} />
      ) : (
        <EventsTab events={events} vm={vm.name} width={width} height={bodyHeight} theme={theme} />
      )}
    </Box>
  );
}
