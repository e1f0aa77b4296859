import {featureSet, VirtioFeature} from '../core/virtio.js';
import {counted, formatBytes} from '../core/format-units.js';
import type {DmaPolicy} from './config/world-schema.js';
import {decideDma, DMA_POLICY_LABELS, type DmaRefusalCode} from './dma-policy.js';
import {isSvmEnabled} from './machine.js';
import {validateBalloonFeatures} from './virtio/balloon-driver.js';
import {acceptsFeaturesOk} from './virtio/features-ok.js';
import type {DeviceSnapshot, VmSnapshot} from './snapshot-types.js';
import type {World} from './world.js';

/** What a command will do, as the preview lists it. */
export type ConsequenceCode =
  | 'kexec'
  | 'reboot'
  | 'will-halt'
  | 'devices-fault'
  | 'devices-refused'
  | 'undeclared'
  | 'policy-takes-effect'
  | 'secure-memory-released'
  | 'reclaims-nothing'
  | 'guest-may-stop'
  | 'migration-restarts';

export interface Consequence {
  readonly code: ConsequenceCode;
  readonly text: string;
}

/** How entering secure mode will end for this guest on its host, under its configured policy. */
export function secureOutcome(world: World, vm: VmSnapshot): Consequence[] {
  const halt = esmFailure(world, vm);
  if (halt) return [{code: 'will-halt', text: halt}];
  const consequences = deviceOutcome(vm);
  if (vm.security.declared === 'none' && !vm.security.confidentialGuestSupport)
    consequences.push({
      code: 'undeclared',
      text: 'it is declared launchSecurity: none, so management will not know it is secure',
    });
  return consequences;
}

/** Why UV_ESM would fail (enterSecureMode's checks, in its order), or undefined. */
function esmFailure(world: World, vm: VmSnapshot): string | undefined {
  const host = world.hosts.get(vm.host);
  const ultravisor = host?.ultravisor;
  if (!host || !ultravisor)
    return `${vm.host} has no ultravisor: H_SVM_INIT_START will return H_UNSUPPORTED and ${vm.name} will halt`;
  if (!isSvmEnabled(vm.security.confidentialGuestSupport, host))
    return `KVM on ${vm.host} will NAK H_SVM_INIT_START with H_AUTHORITY: ${vm.name} was not started with confidential guest support (launchSecurity ${vm.security.declared}), so it will halt`;
  const guest = world.guest(vm.name);
  const verdict = guest ? ultravisor.verifyTicket(guest.image, guest.ticket) : undefined;
  if (verdict && !verdict.ok)
    return `the ultravisor will refuse its ticket (${verdict.code}: ${verdict.reason}) and ${vm.name} will halt`;
  // A secure guest that reboots gives its own secure memory back before it asks again.
  const freeBytes = ultravisor.secureFreeBytes + (vm.security.state === 'secure' ? vm.memoryBytes : 0);
  if (freeBytes < vm.memoryBytes)
    return `${vm.host} has ${formatBytes(freeBytes)} of secure memory free, ${vm.name} needs ${formatBytes(vm.memoryBytes)} (U_RETRY): it will halt`;
  return undefined;
}

/** How the secure kernel will probe one device: as `negotiate` does, kernel's check then QEMU's. */
function secureProbeOf(
  device: DeviceSnapshot,
  policy: DmaPolicy,
): 'direct' | 'dma-api' | DmaRefusalCode | 'features-refused' {
  // Every device here is modern (VERSION_1).
  const offered = device.offersAccessPlatform
    ? featureSet(VirtioFeature.version1, VirtioFeature.accessPlatform)
    : featureSet(VirtioFeature.version1);
  const accepted = device.type === 'balloon' ? validateBalloonFeatures(offered) : offered;
  const decision = decideDma({policy, isSecure: true, negotiated: accepted, isSwiotlbForced: false});
  if (decision.refusal) return decision.refusal.code;
  if (!acceptsFeaturesOk(offered, accepted)) return 'features-refused';
  return decision.mode === 'direct' ? 'direct' : 'dma-api';
}

/** Which devices the secure kernel will drive with raw addresses (they fault) or not bind at all. */
function deviceOutcome(vm: VmSnapshot): Consequence[] {
  const faulting: string[] = [];
  const refusedByKernel: string[] = [];
  const refusedByQemu: string[] = [];
  for (const device of vm.devices) {
    const outcome = secureProbeOf(device, vm.dmaPolicy);
    if (outcome === 'direct') faulting.push(device.type);
    else if (outcome === 'features-refused') refusedByQemu.push(device.type);
    else if (outcome !== 'dma-api') refusedByKernel.push(device.type);
  }
  const policy = DMA_POLICY_LABELS[vm.dmaPolicy].full;
  const consequences: Consequence[] = [];
  if (faulting.length > 0)
    consequences.push({
      code: 'devices-fault',
      text: `${counted(faulting.length, 'device')} will fault when used (${faulting.join(', ')}: no ACCESS_PLATFORM, raw addresses under ${policy})`,
    });
  if (refusedByKernel.length > 0)
    consequences.push({
      code: 'devices-refused',
      text: `${counted(refusedByKernel.length, 'device')} will be refused at probe (${refusedByKernel.join(', ')}: no ACCESS_PLATFORM, ${policy})`,
    });
  if (refusedByQemu.length > 0)
    consequences.push({
      code: 'devices-refused',
      text: `${counted(refusedByQemu.length, 'device')} will fail probe (${refusedByQemu.join(', ')}: QEMU refuses FEATURES_OK, ACCESS_PLATFORM offered and cleared by the driver)`,
    });
  return consequences;
}
