import {Text} from 'ink';
import {memo} from 'react';
import type {WorldSnapshot} from '../host/snapshot-types.js';
import {counted, formatBytes, formatSimTime, formatSpeed} from './format.js';
import {fitSegments, type Segment} from './segments.js';
import type {Theme} from './theme.js';

export interface SummaryBarProps {
  readonly world: WorldSnapshot;
  readonly speed: number;
  /** null until measured: the header then shows the speed asked alone. */
  readonly achievedSpeed: number | null;
  /** VMs listed (the filter may hide some). */
  readonly shownCount: number;
  /** QMP clients connected; absent without `--qmp`. */
  readonly qmpClients?: number | undefined;
  readonly width: number;
  readonly theme: Theme;
}

/** Below this share of the speed asked, the header says how fast the simulation really runs. */
const BEHIND_RATIO = 0.9;

/** Whether the header says the simulation falls behind; not before it was measured. */
function isSimulationBehind(speed: number, achievedSpeed: number | null): boolean {
  return achievedSpeed !== null && achievedSpeed < speed * BEHIND_RATIO;
}

/**
 * Top line: hosts, ultravisors and which hosts run the 2018-era stack (the others run mainline),
 * guests by security, secure memory in use, simulated time and speed.
 */
export const SummaryBar = memo(function SummaryBar({
  world,
  speed,
  achievedSpeed,
  shownCount,
  qmpClients,
  width,
  theme,
}: SummaryBarProps) {
  const segments = summarySegments(world, shownCount, speed, achievedSpeed, qmpClients);
  const line = summaryLine(segments, width - 1);
  // One row without a box around it: the line is never empty and fits the width (one Yoga node a frame fewer).
  return (
    <Text wrap="truncate" color={segments.isBehind ? theme.warning : theme.accent} bold>
      {line}
    </Text>
  );
});

/** What the summary says, left part then right part, each segment with its shorter forms. */
export interface SummarySegments {
  readonly left: readonly Segment[];
  readonly right: readonly Segment[];
  /** The simulation falls behind the speed asked: the words say so, and the colour. */
  readonly isBehind: boolean;
}

// Who gives way first: the hosts' detail, the note on migrating memory; the QMP count and the
// wording of secure memory, VM counts and speed; then the hosts and the note go whole, then
// secure memory. The VM counts, the time and speed (abbreviated) and the program's name stay.
const PRIORITY = {
  name: 0,
  memoryDrop: 2,
  drop: 3,
  vms: 4,
  time: 4,
  memory: 4,
  qmp: 4,
  note: 5,
  hosts: 6,
} as const;

/** Hosts, ultravisors and which hosts run the 2018-era stack, down to the host count, then nothing. */
function hostsSegment(world: WorldSnapshot): Segment {
  const hostCount = counted(world.hosts.length, 'host');
  const ultravisors = world.hosts.filter((host) => host.ultravisor).length;
  const oldStack = world.hosts.filter((host) => host.stack === '2018').map((host) => host.name);
  const stacks = oldStack.length > 0 ? `, 2018-era: ${oldStack.join(' ')}` : '';
  return {
    forms: [
      `${hostCount} (${ultravisors} UV${stacks})`,
      ...(oldStack.length > 0 ? [`${hostCount} (${ultravisors} UV, ${oldStack.length} 2018-era)`] : []),
      `${hostCount}, ${ultravisors} UV`,
      hostCount,
      '',
    ],
    priority: PRIORITY.hosts,
    dropPriority: PRIORITY.drop,
    name: 'hosts',
  };
}

/** A loop, not callbacks made per frame, over every VM at every frame (column-layout.ts says why). */
function countSecurity(vms: WorldSnapshot['vms']): {secure: number; transitioning: number} {
  let secure = 0;
  let transitioning = 0;
  for (const vm of vms) {
    if (vm.security.state === 'secure') secure++;
    else if (vm.security.state === 'transitioning') transitioning++;
  }
  return {secure, transitioning};
}

export function summarySegments(
  world: WorldSnapshot,
  shownCount: number,
  speed: number,
  achievedSpeed: number | null,
  qmpClients: number | undefined,
): SummarySegments {
  const hosts = hostsSegment(world);
  const {secure, transitioning} = countSecurity(world.vms);
  const states = `${secure} secure${transitioning ? `, ${transitioning} going` : ''}`;
  const total = world.vms.length;
  const vms: Segment = {
    forms:
      shownCount < total
        ? [
            `${counted(total, 'VM')} (${shownCount} shown): ${states}`,
            `${shownCount}/${counted(total, 'VM')}: ${states}`,
          ]
        : [`${counted(total, 'VM')}: ${states}`],
    priority: PRIORITY.vms,
  };
  // A secure guest in migration holds secure memory on both hosts until switch-over.
  const incoming = world.hosts.reduce((sum, host) => sum + host.memory.secureIncomingBytes, 0);
  const secureUsed = world.hosts.reduce((sum, host) => sum + host.memory.secureUsedBytes, 0);
  const secureTotal = world.hosts.reduce((sum, host) => sum + host.memory.secureTotalBytes, 0);
  const amount = `${formatBytes(secureUsed)}/${formatBytes(secureTotal)}`;
  const memory: Segment = {
    forms: [`secure mem ${amount}`, `sec mem ${amount}`, ''],
    priority: PRIORITY.memory,
    dropPriority: PRIORITY.memoryDrop,
    name: 'sec mem',
  };
  const held = formatBytes(incoming);
  const note: Segment = {
    forms: incoming > 0 ? [`(${held} of it held for incoming migrations)`, `(${held} incoming)`, ''] : [''],
    priority: PRIORITY.note,
    dropPriority: PRIORITY.drop,
    name: 'incoming',
  };
  const isBehind = isSimulationBehind(speed, achievedSpeed);
  const clock: Segment = {
    forms: clockForms(`t=${formatSimTime(world.tUs)}`, speed, achievedSpeed, isBehind),
    priority: PRIORITY.time,
  };
  const qmp: Segment = {
    forms: qmpClients === undefined ? [''] : [`QMP ${qmpClients}`, ''],
    priority: PRIORITY.qmp,
    name: 'QMP',
  };
  return {
    left: [{forms: ['svmtop'], priority: PRIORITY.name}, hosts, vms, memory, note],
    right: [qmp, clock],
    isBehind,
  };
}

/** The clock and the speed asked, and the speed reached beside it when the simulation falls behind. */
function clockForms(time: string, speed: number, achievedSpeed: number | null, isBehind: boolean): string[] {
  const asked = formatSpeed(speed);
  // Until a refresh measures the speed reached, only the speed asked is known: it shows alone, as
  // when the simulation keeps up ("1x asked" read as a sentence cut off); never "behind" then.
  if (!isBehind || achievedSpeed === null) return [`${time} ${asked}`];
  const achieved = formatSpeed(achievedSpeed);
  return [
    `${time} simulating at ${achieved} of ${asked} asked`,
    `${time} ${achieved} of ${asked} asked`,
    `${time} ${achieved}/${asked}`,
  ];
}

const SEPARATOR = '  ';

/**
 * The summary in `width` cells: the left part, the right part flush right, segments shortened or
 * dropped whole by priority, and where some were dropped a mark naming them (`+hosts, QMP`), or
 * counting them (`+2 more`) if their names do not fit.
 */
export function summaryLine(segments: SummarySegments, width: number): string {
  const all = [...segments.left, ...segments.right];
  let fitted = fitSegments(all, width, SEPARATOR);
  let more = '';
  if (fitted.dropped.length > 0) {
    // Room for the mark; the room it takes may drop more, so try until the names stay the same.
    const named = (dropped: readonly string[]) => `${SEPARATOR}+${dropped.join(', ')}`;
    let mark = named(fitted.dropped);
    for (let attempt = 0; attempt <= all.length; attempt++) {
      fitted = fitSegments(all, width - mark.length, SEPARATOR);
      if (named(fitted.dropped) === mark) break;
      mark = named(fitted.dropped);
    }
    if (named(fitted.dropped) !== mark) {
      mark = `${SEPARATOR}+${fitted.dropped.length} more`;
      fitted = fitSegments(all, width - mark.length, SEPARATOR);
    }
    more = mark;
  }
  const shown = (from: number, to: number) =>
    fitted.texts
      .slice(from, to)
      .filter((text) => text !== '')
      .join(SEPARATOR);
  const left = shown(0, segments.left.length) + more;
  const right = shown(segments.left.length, all.length);
  return `${left.padEnd(Math.max(0, width - right.length - 1))} ${right}`;
}
