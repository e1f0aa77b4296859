import {readFileSync} from 'node:fs';
import {DEFAULT_WORLD_FILE, parseWorldText} from '../src/host/config/load-world.js';
import type {WorldConfig} from '../src/host/config/world-schema.js';

/**
 * A world of `guests` guests over eight hosts, cycling through the default world's guest kinds
 * (secure and normal, every policy, every workload but idle), each with its devices busy. The
 * hosts run the 2018-era stack, where guests turn secure without opt-in and every policy differs.
 */
export function bigWorld(guests: number): WorldConfig {
  const text = readFileSync(DEFAULT_WORLD_FILE, 'utf8');
  const keys = text.slice(text.indexOf('keys:'), text.indexOf('guests:'));
  const ticket = /- name: web-1[\s\S]*?(image: \{[^}]*\})\s*\n\s*(ticket: \{[^}]*\})/.exec(text)!;
  const hosts = Array.from({length: 8}, (_, index) =>
    index % 4 === 3
      ? `  - {name: h${index}, stack: 2018, memory: 4TiB}`
      : `  - {name: h${index}, stack: 2018, memory: 4TiB, secureMigration: ${index % 4 !== 2}, ultravisor: {secureMemory: 2TiB, trustedKeys: [owner-demo]}}`,
  );
  const kinds = [
    {
      svm: 'on',
      policy: 'force-dma-api',
      workload: 'web',
      devices: '[{type: net}, {type: blk}, {type: console}, {type: rng}, {type: balloon}]',
    },
    {
      svm: 'on',
      policy: 'restricted',
      workload: 'db',
      devices: '[{type: net, iommu: on}, {type: blk, iommu: on}, {type: console}, {type: rng, iommu: on}]',
    },
    {
      svm: 'off',
      policy: 'legacy',
      workload: 'web',
      devices: '[{type: net}, {type: blk}, {type: console}, {type: balloon}]',
    },
    {
      svm: 'off',
      policy: 'restricted',
      workload: 'stream',
      devices: '[{type: net, iommu: on}, {type: blk, iommu: on}, {type: console}]',
      swiotlb: '512,2,force',
    },
    {svm: 'off', policy: 'legacy', workload: 'churn', devices: '[{type: net}, {type: blk}]'},
  ];
  const guestBlocks = Array.from({length: guests}, (_, index) => {
    const kind = kinds[index % kinds.length]!;
    return `  - name: vm${index}
    host: h${index % 8 === 3 || index % 8 === 7 ? (kind.svm === 'on' ? 0 : index % 8) : index % 8}
    vcpus: 2
    memory: 2GiB
    svm: ${kind.svm}
    dmaPolicy: ${kind.policy}
    workload: ${kind.workload}
    swiotlb: "${kind.swiotlb ?? '512,2'}"
    ${ticket[1]}
    ${ticket[2]}
    devices: ${kind.devices}`;
  });
  const yaml = `hosts:\n${hosts.join('\n')}\nlinks: {defaultBandwidth: 10GiB}\n${keys}guests:\n${guestBlocks.join('\n')}\n`;
  const parsed = parseWorldText(`big-world-${guests}.yaml`, yaml);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
