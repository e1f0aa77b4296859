import {readFileSync} from 'node:fs';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';
import {DEMO_KEYS, startWorld} from './world.js';

/** The default world's signed image for web-1, reused so test guests carry a valid ticket. */
export function webTicket(): string {
  const text = readFileSync(DEFAULT_WORLD_FILE, 'utf8');
  const block = text.slice(text.indexOf('- name: web-1'));
  const image = /image: (\{[^}]*\})/.exec(block)![1]!;
  const ticket = /ticket: (\{[^}]*\})/.exec(block)![1]!;
  return `    image: ${image}\n    ticket: ${ticket}\n`;
}

export interface TestGuest {
  readonly name?: string;
  readonly host?: string;
  readonly memory?: string;
  readonly svm?: boolean;
  readonly policy?: string;
  readonly declared?: string;
  readonly workload?: string;
  readonly swiotlb?: string;
  readonly devices: string;
  readonly extra?: string;
}

/** A guest block with web-1's signed image. */
export function guestYaml(guest: TestGuest): string {
  return `  - name: ${guest.name ?? 'g1'}
    host: ${guest.host ?? 'uv1'}
    vcpus: 2
    memory: ${guest.memory ?? '1GiB'}
    svm: ${guest.svm ? 'on' : 'off'}
    launchSecurity: ${guest.declared ?? 'allowed'}
    dmaPolicy: ${guest.policy ?? 'access-platform-gated'}
    workload: ${guest.workload ?? 'db'}
    swiotlb: "${guest.swiotlb ?? '2048,2'}"
${webTicket()}    devices: ${guest.devices}
${guest.extra ?? ''}`;
}

/**
 * Two ultravisor hosts that migrate secure guests, one without secure migration, one without an
 * ultravisor, all running `stack`. The 2018-era stack by default: there any guest may turn itself
 * secure and devices keep what they offer, the world most of the DMA and I/O tests are about; a
 * test of the mainline rules (opt-in, forced iommu_platform) asks for `mainline`.
 */
export function worldYaml(
  guests: readonly TestGuest[],
  hostExtra = '',
  stack: 'mainline' | '2018' = '2018',
): string {
  return `hosts:
  - {name: uv1, stack: ${stack}, memory: 64GiB, secureMigration: true, ultravisor: {secureMemory: 16GiB, trustedKeys: [owner-demo]}}
  - {name: uv2, stack: ${stack}, memory: 64GiB, secureMigration: true, ultravisor: {secureMemory: 16GiB, trustedKeys: [owner-demo]}}
  - {name: oldqemu, stack: ${stack}, memory: 64GiB, secureMigration: false, ultravisor: {secureMemory: 16GiB, trustedKeys: [owner-demo]}}
  - {name: plain, stack: ${stack}, memory: 64GiB}
${hostExtra}
${DEMO_KEYS}
guests:
${guests.map(guestYaml).join('')}`;
}

/**
 * g1, idle and not secure, with one NIC, 6 simulated seconds after a start with seed 3: the guest
 * of the net tests, with its net driver and the memory view its kernel reads frames through.
 */
export function netGuest() {
  const world = startWorld(worldYaml([{svm: false, workload: 'idle', devices: '[{type: net}]'}]), 3, {
    seconds: 6,
  });
  const guest = world.guest('g1')!;
  return {world, guest, driver: guest.kernel!.drivers.net!, view: guest.kernel!.view};
}
