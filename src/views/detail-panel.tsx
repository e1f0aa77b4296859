import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {tabStrip} from './dashboard-layout.js';
import type {Tab} from './dashboard-state.js';
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
  readonly eventsBack: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** The line under the tabs names the VM in full, with what the list abbreviates. */
export function detailTitle(vm: VmSnapshot): string {
  const inEffect = vm.dmaPolicyInEffect;
  const policy =
    inEffect === null || inEffect === vm.dmaPolicy
      ? `dmaPolicy ${vm.dmaPolicy}`
      : `dmaPolicy ${inEffect} (next boot: ${vm.dmaPolicy})`;
  const launch = vm.security.confidentialGuestSupport ? ' (pef-guest)' : '';
  return ` ${vm.name}: ${policy}, svm=${vm.svm ? 'on' : 'off'}, declared ${vm.security.declared}${launch}, ${vm.workload}, ${vm.vcpus} vCPU`;
}

/** The selected VM's detail: a tab line, then the open tab. */
export function DetailPanel({vm, events, tab, eventsBack, width, height, theme}: DetailPanelProps) {
  const failure = vm?.security.failure ?? null;
  const undeclared = vm?.security.state === 'secure' && vm.security.declared === 'none';
  const notice =
    failure && vm?.security.state === 'failed'
      ? `secure transition failed: ${failure}`
      : undeclared
        ? 'secure, but declared launchSecurity: none: only the 2018-era stack allows it, and management does not know (balloon and migration will surprise it)'
        : null;
  const bodyHeight = Math.max(1, height - 1 - (notice ? 1 : 0));
  const tabs = tabStrip(tab).text;
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <Text wrap="truncate" bold>
        <Text color={theme.accent}>{tabs}</Text>
        {clip(vm ? detailTitle(vm) : ' no VM selected', Math.max(0, width - 1 - tabs.length))}
      </Text>
      {notice ? (
        <Text color={failure ? theme.failed : theme.undeclared} wrap="truncate">
          {clip(notice, width - 1)}
        </Text>
      ) : null}
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
