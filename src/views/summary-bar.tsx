import {Box, Text} from 'ink';
import {memo} from 'react';
import type {WorldSnapshot} from '../host/snapshot-types.js';
import {clip, formatBytes, formatSimTime} from './format.js';
import type {Theme} from './theme.js';

export interface SummaryBarProps {
  readonly world: WorldSnapshot;
  readonly speed: number;
  readonly achievedSpeed: number;
  /** VMs listed (the filter may hide some). */
  readonly shownCount: number;
  /** QMP clients connected; absent without `--qmp`. */
  readonly qmpClients?: number | undefined;
  readonly width: number;
  readonly theme: Theme;
}

/** Below this share of the speed asked, the header says how fast the simulation really runs. */
const BEHIND_RATIO = 0.9;

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
  const ultravisors = world.hosts.filter((host) => host.ultravisor).length;
  const oldStack = world.hosts.filter((host) => host.stack === '2018').map((host) => host.name);
  const secure = world.vms.filter((vm) => vm.security.state === 'secure').length;
  const transitioning = world.vms.filter((vm) => vm.security.state === 'transitioning').length;
  // A secure guest in migration holds secure memory on both hosts until switch-over.
  const incoming = world.hosts.reduce((sum, host) => sum + host.memory.secureIncomingBytes, 0);
  const secureUsed = world.hosts.reduce((sum, host) => sum + host.memory.secureUsedBytes, 0);
  const secureTotal = world.hosts.reduce((sum, host) => sum + host.memory.secureTotalBytes, 0);
  const vms =
    shownCount < world.vms.length
      ? `${world.vms.length} VMs (${shownCount} shown)`
      : `${world.vms.length} VMs`;
  const stacks = oldStack.length > 0 ? `, 2018-era: ${oldStack.join(' ')}` : '';
  const counts = `${world.hosts.length} hosts (${ultravisors} UV${stacks})  ${vms}: ${secure} secure${transitioning ? `, ${transitioning} going` : ''}`;
  const memory = `secure mem ${formatBytes(secureUsed)}/${formatBytes(secureTotal)}${incoming > 0 ? ` (${formatBytes(incoming)} of it held for incoming migrations)` : ''}`;
  const isBehind = achievedSpeed < speed * BEHIND_RATIO;
  const qmp = qmpClients === undefined ? '' : `QMP ${qmpClients}  `;
  const right = `${qmp}t=${formatSimTime(world.tUs)} ${isBehind ? `simulating at ${formatSpeed(achievedSpeed)} of ${formatSpeed(speed)} asked` : formatSpeed(speed)}`;
  // The program's name goes first when the line is short of room, then the text is cut.
  const full = `svmtop  ${counts}  ${memory}`;
  const left = full.length + 1 + right.length <= width - 1 ? full : `${counts}  ${memory}`;
  const room = Math.max(0, width - 2 - right.length);
  const line = `${clip(left, room).padEnd(room)} ${right}`;
  return (
    <Box height={1} width={width}>
      <Text wrap="truncate" color={isBehind ? theme.warning : theme.accent} bold>
        {line}
      </Text>
    </Box>
  );
});

/** A speed factor for people: `143x`, `0.5x`. */
export function formatSpeed(speed: number): string {
  return speed >= 10 ? `${Math.round(speed)}x` : `${Math.round(speed * 100) / 100}x`;
}
