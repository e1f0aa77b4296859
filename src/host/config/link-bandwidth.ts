import {MIN_BANDWIDTH_BYTES_PER_SECOND} from '../migration/migration-params.js';
import type {ConfigIssue} from './format-issue.js';
import type {WorldConfig} from './world-schema.js';

/**
 * Link bandwidths are held to the least max-bandwidth a migration takes (migration-params.ts
 * MIN_BANDWIDTH_BYTES_PER_SECOND): a migration goes no faster than its link, so over 0B/s it would
 * answer "ok" and never move a page. Apart from world-references.ts, which the migration code
 * imports through guest-layout.ts (an import cycle).
 */
export function checkLinkBandwidths(config: WorldConfig): ConfigIssue[] {
  const {defaultBandwidth, pairs} = config.links;
  return [
    ...checkBandwidth(defaultBandwidth, ['links', 'defaultBandwidth']),
    ...pairs.flatMap((link, index) => checkBandwidth(link.bandwidth, ['links', 'pairs', index, 'bandwidth'])),
  ];
}

function checkBandwidth(bytesPerSecond: number, path: ConfigIssue['path']): ConfigIssue[] {
  if (BigInt(bytesPerSecond) >= MIN_BANDWIDTH_BYTES_PER_SECOND) return [];
  const least = `${MIN_BANDWIDTH_BYTES_PER_SECOND}B/s`;
  return [{path, message: `a link of ${bytesPerSecond}B/s never moves a page: expected at least ${least}`}];
}
