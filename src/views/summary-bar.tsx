import {Box, Text} from 'ink';
import {memo} from 'react';
import {formatDuration} from '../core/units.js';
import type {WorldSnapshot} from '../host/snapshot-types.js';
import {formatSize} from './format.js';
import type {Theme} from './theme.js';

export interface SummaryBarProps {
  readonly world: WorldSnapshot;
  readonly speed: number;
  /** QMP clients connected; absent without `--qmp`. */
  readonly qmpClients?: number | undefined;
  readonly width: number;
  readonly theme: Theme;
}

/** Top line: hosts and ultravisors, guests by security, secure memory in use, simulated time and speed. */
export const SummaryBar = memo(function SummaryBar({
  world,
  speed,
  qmpClients,
  width,
  theme,
}: SummaryBarProps) {
  const ultravisors = world.hosts.filter((host) => host.ultravisor).length;
  const secure = world.vms.filter((vm) => vm.security.state === 'secure').length;
  const transitioning = world.vms.filter((vm) => vm.security.state === 'transitioning').length;
  const secureUsed = world.hosts.reduce((sum, host) => sum + host.memory.secureUsedBytes, 0);
  const secureTotal = world.hosts.reduce((sum, host) => sum + host.memory.secureTotalBytes, 0);
  const left = `svmtop  ${world.hosts.length} hosts (${ultravisors} UV)  ${world.vms.length} VMs: ${secure} secure${transitioning ? `, ${transitioning} going` : ''}  secure mem ${formatSize(secureUsed)}/${formatSize(secureTotal)}`;
  const right = `${qmpClients === undefined ? '' : `QMP ${qmpClients}  `}t=${formatDuration(world.tUs)} ${speed}x`;
  const gap = Math.max(1, width - left.length - right.length);
  return (
    <Box height={1} width={width}>
      <Text wrap="truncate" color={theme.accent} bold>
        {(left + ' '.repeat(gap) + right).slice(0, width)}
      </Text>
    </Box>
  );
});
