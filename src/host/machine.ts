import type {HostStack, LaunchSecurity} from './config/world-schema.js';

/** What the machine options depend on: the host's stack and whether it has an ultravisor. */
export interface MachineHost {
  readonly name: string;
  readonly stack: HostStack;
  readonly hasUltravisor: boolean;
}

/** QEMU's words when `pef-guest` meets a KVM without KVM_CAP_PPC_SECURE_GUEST (qemu/qemu hw/ppc/pef.c kvmppc_svm_init). */
export const PEF_NO_ULTRAVISOR_ERROR =
  'KVM implementation does not support Secure VMs (is an ultravisor running?)';

/**
 * Whether management starts the VM with confidential guest support, i.e. `-object pef-guest` and
 * `-machine confidential-guest-support=…` (libvirt has no `<launchSecurity>` type for PEF: it
 * knows sev, s390-pv and, later, sev-snp and tdx, so on ppc64 the object is passed to QEMU as
 * is). `required`: always; `allowed`: where the host can run it (it has an ultravisor); `none`:
 * never. QEMU of the 2018-era stack has no confidential-guest-support at all (it came with
 * QEMU 6.0), so there `launchSecurity` is only what management was told.
 */
export function hasConfidentialGuestSupport(launchSecurity: LaunchSecurity, host: MachineHost): boolean {
  if (host.stack === '2018') return false;
  if (launchSecurity === 'required') return true;
  return launchSecurity === 'allowed' && host.hasUltravisor;
}

/**
 * Why QEMU on `host` cannot start a VM declared `launchSecurity` at all, or null: a pef-guest
 * needs KVM_CAP_PPC_SECURE_GUEST, which only a KVM under an ultravisor has.
 */
export function machineStartError(launchSecurity: LaunchSecurity, host: MachineHost): string | null {
  if (!hasConfidentialGuestSupport(launchSecurity, host) || host.hasUltravisor) return null;
  return PEF_NO_ULTRAVISOR_ERROR;
}

/**
 * KVM's `svm_enabled`: mainline KVM NAKs H_SVM_INIT_START with H_AUTHORITY unless QEMU enabled
 * KVM_CAP_PPC_SECURE_GUEST for the VM (torvalds/linux arch/powerpc/kvm/book3s_hv_uvmem.c
 * kvmppc_h_svm_init_start; qemu/qemu hw/ppc/pef.c kvmppc_svm_init, which only a pef-guest
 * machine runs). The 2018-era stack had no such check: any guest could turn itself secure.
 */
export function isSvmEnabled(hasCgs: boolean, host: Pick<MachineHost, 'stack'>): boolean {
  return host.stack === '2018' || hasCgs;
}

/**
 * Whether the host's SLOF negotiates ACCESS_PLATFORM when a device offers it. Current SLOF does
 * (aik/SLOF lib/libvirtio/virtio.c virtio_negotiate_guest_features: `if (host_features &
 * VIRTIO_F_IOMMU_PLATFORM) features |= VIRTIO_F_IOMMU_PLATFORM`, then maps buffers through the
 * PCI bus's TCEs); the SLOF before that change (same file at 300384f3) asks only for the features
 * it knows, so QEMU refuses FEATURES_OK and firmware cannot use an iommu_platform=on device. We
 * take the 2018-era stack's SLOF to be the older one. Simplified: SLOF's TCE mappings are the
 * identity, so firmware still reaches guest memory by its guest-physical addresses.
 */
export function firmwareNegotiatesAccessPlatform(host: Pick<MachineHost, 'stack'>): boolean {
  return host.stack === 'mainline';
}
