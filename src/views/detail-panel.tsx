import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {tabStrip} from './dashboard-layout.js';
import type {Tab} from './dashboard-state.js';
import {DevicesTab} from './devices-tab.js';
import {EventsTab} from './events-tab.js';
import {wrapIndented} from './format.js';
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

/** What the list abbreviates about a VM, in full: each fact whole, to wrap between facts. */
export function detailFacts(vm: VmSnapshot): string[] {
  const inEffect = vm.dmaPolicyInEffect;
  const policy =
    inEffect === null || inEffect === vm.dmaPolicy
      ? `dmaPolicy ${vm.dmaPolicy}`
      : `dmaPolicy ${inEffect} (next boot: ${vm.dmaPolicy})`;
  const launch = vm.security.confidentialGuestSupport ? ' (pef-guest)' : '';
  return [
    policy,
    `svm=${vm.svm ? 'on' : 'off'}`,
    `declared ${vm.security.declared}${launch}`,
    vm.workload,
    `${vm.vcpus} vCPU`,
  ];
}

/** Further lines of the header start this far in. */
const CONTINUATION_INDENT = 2;
/** The notice under the header (a failure, an undeclared secure guest) takes at most this many lines. */
const NOTICE_LINES_MAX = 3;

/**
 * The tab strip, then the VM's name and facts, wrapped between facts (never inside one) onto
 * further lines of `width` cells.
 */
export function detailHeader(tabs: string, vm: VmSnapshot | undefined, width: number): string[] {
  if (!vm) return [`${tabs} no VM selected`];
  const facts = detailFacts(vm);
  const lines: string[] = [];
  let line = `${tabs} ${vm.name}:`;
  facts.forEach((fact, index) => {
    const joint = index === 0 ? ' ' : ', ';
    // Room for the comma that follows every fact but the last.
    const comma = index === facts.length - 1 ? 0 : 1;
    if (line.length + joint.length + fact.length + comma > width) {
      lines.push(index === 0 ? line : `${line},`);
      line = ' '.repeat(CONTINUATION_INDENT) + fact;
    } else line += joint + fact;
  });
  lines.push(line);
  // A fact longer than a whole line still wraps, at its spaces.
  return lines.flatMap((text) => wrapIndented(text, width, CONTINUATION_INDENT));
}

/** A notice wrapped whole; past its most lines, the last says how many more the events tab has. */
function noticeLines(notice: string, width: number): string[] {
  const lines = wrapIndented(notice, width, CONTINUATION_INDENT);
  if (lines.length <= NOTICE_LINES_MAX) return lines;
  const more = `  +${lines.length - NOTICE_LINES_MAX + 1} more lines in 4 events`;
  return [...lines.slice(0, NOTICE_LINES_MAX - 1), more];
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
  const tabs = tabStrip(tab).text;
  const [first = '', ...further] = detailHeader(tabs, vm, width - 1);
  const notices = notice ? noticeLines(notice, width - 1) : [];
  const bodyHeight = Math.max(1, height - 1 - further.length - notices.length);
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <Text wrap="truncate" bold>
        <Text color={theme.accent}>{tabs}</Text>
        {first.slice(tabs.length)}
      </Text>
      {further.map((line, index) => (
        <Text key={index} wrap="truncate" bold>
          {line}
        </Text>
      ))}
      {notices.map((line, index) => (
        <Text key={`notice-${index}`} color={failure ? theme.failed : theme.undeclared} wrap="truncate">
          {line}
        </Text>
      ))}
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
