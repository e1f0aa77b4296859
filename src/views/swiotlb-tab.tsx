import {TextLines, type Line} from './text-lines.js';
import type {SwiotlbSnapshot, VmSnapshot} from '../host/snapshot-types.js';
import {swiotlbAdviceOf} from '../host/swiotlb-advice.js';
import {IO_TLB_SIZE} from '../core/swiotlb.js';
import {bar, counted, formatBytes, percent, sparkline} from './format.js';
import {glyphsOf} from './glyphs.js';
import type {Theme} from './theme.js';

export interface SwiotlbTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** `used     `: the labels' column. */
const LABEL_WIDTH = 9;
const BAR_WIDTH_MIN = 10;
const BAR_WIDTH_MAX = 40;

/** The bounce pool: usage and high-water mark, recent use, failures, bytes bounced, slots per device, sizing advice. */
export function SwiotlbTab({vm, width, height, theme}: SwiotlbTabProps) {
  return <TextLines lines={swiotlbLines(vm, width, theme)} width={width - 1} height={height} />;
}

/** The tab's lines, before wrapping (the layout counts them too: detail-rows.ts). */
export function swiotlbLines(vm: VmSnapshot, width: number, theme: Theme): Line[] {
  const pool = vm.swiotlb;
  if (!pool) {
    const why =
      vm.security.state === 'secure'
        ? 'no pool yet'
        : 'no swiotlb pool: this guest is not secure and was not booted with swiotlb=force, so nothing bounces';
    return [{text: why, isDim: theme.dim}];
  }
  const used = pool.used / pool.nslabs;
  const usedText = `${percent(used).padStart(4)}  ${pool.used}/${pool.nslabs} slots (${formatBytes(pool.used * IO_TLB_SIZE)} of ${formatBytes(pool.nslabs * IO_TLB_SIZE)}), ${counted(pool.nareas, 'area')}`;
  // The bars take what the usage line leaves, so that line fits whole; the others wrap.
  const barWidth = Math.max(
    BAR_WIDTH_MIN,
    Math.min(BAR_WIDTH_MAX, width - 1 - LABEL_WIDTH - 1 - usedText.length),
  );
  const usageColor = used >= 0.9 ? theme.hot : used >= 0.6 ? theme.warm : theme.accent;
  const history = vm.swiotlbHistory ?? [];
  const devices = Object.entries(pool.usedByDevice);
  const lines: Line[] = [
    {
      text: `used     ${bar(used, barWidth)} ${usedText}`,
      color: usageColor,
    },
    {
      text: `hiwater  ${bar(pool.hiwater / pool.nslabs, barWidth)} ${percent(pool.hiwater / pool.nslabs).padStart(4)}  ${counted(pool.hiwater, 'slot')}`,
    },
    {
      text: `peak/s   ${sparkline(history, barWidth, Math.max(1, ...history), glyphsOf(theme).spark)}  ${counted(pool.recentPeak, 'slot')} in the last second (scale: highest shown, ${Math.max(0, ...history)})`,
    },
    {
      text: `bounced  ${formatBytes(pool.bouncedBytesToDevice)} to devices, ${formatBytes(pool.bouncedBytesFromDevice)} back`,
    },
    {
      text: `failures ${pool.mapFailures} "swiotlb buffer is full"`,
      color: pool.mapFailures > 0 ? theme.hot : undefined,
    },
    {
      text: `per dev  ${devices.length === 0 ? '-' : devices.map(([device, slots]) => `${device} ${slots}`).join('  ')}`,
    },
    adviceLine(pool, theme),
  ];
  return lines.map((line) => ({...line, indent: LABEL_WIDTH}));
}

/** The sizing advice: a larger pool, or enough; after a leak, where the high water came from. */
function adviceLine(pool: SwiotlbSnapshot, theme: Theme): Line {
  const hiwater = percent(pool.hiwater / pool.nslabs);
  switch (swiotlbAdviceOf(pool)) {
    case 'grow':
      return {
        text: `advice   swiotlb=${pool.recommendedNslabs} (${formatBytes(pool.recommendedNslabs * IO_TLB_SIZE)}) on the kernel command line`,
        color: theme.warning,
      };
    case 'enough':
      return {text: `advice   pool size is enough (high water ${hiwater})`};
    case 'enough-despite-leak':
      return {
        text: `advice   pool size is enough for what the devices ask: the high water (${hiwater})${pool.mapFailures > 0 ? ' and the failures' : ''} count a leaking driver's slots (a larger pool would fill too)`,
      };
  }
}
