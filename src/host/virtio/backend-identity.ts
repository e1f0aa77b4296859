import type {DeviceConfig} from '../config/world-schema.js';

/** Which device a backend is: its VM, its place on the bus, and the device as QEMU runs it. */
export interface BackendIdentity {
  readonly vm: string;
  /** Position on the virtio bus: the guest sees `virtio<index>`. */
  readonly index: number;
  /** The device as QEMU runs it: `iommu` is on where confidential guest support forced it. */
  readonly config: DeviceConfig;
  /** QEMU forced iommu_platform=on (the VM has confidential guest support). */
  readonly isAccessPlatformForced?: boolean;
}
