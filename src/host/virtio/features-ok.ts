import {hasFeature, VirtioFeature, VirtioStatus, type FeatureSet} from '../../core/virtio.js';

/**
 * QEMU's check when the driver first sets FEATURES_OK (qemu/qemu hw/virtio/virtio.c
 * virtio_set_status → virtio_validate_features): a device that offers ACCESS_PLATFORM
 * (iommu_platform=on) refuses a driver that did not accept it, returning -EFAULT before the status
 * is stored, so the driver reads FEATURES_OK back clear. QEMU makes the check only once VERSION_1
 * was negotiated. The rule came with commit 2943b53f68 ("virtio: force VIRTIO_F_IOMMU_PLATFORM"),
 * older than the 2018 thread, so both host worlds have it.
 * @returns false when the device refuses FEATURES_OK
 */
export function acceptsFeaturesOk(offered: FeatureSet, accepted: FeatureSet): boolean {
  if (!hasFeature(accepted, VirtioFeature.version1)) return true;
  return (
    !hasFeature(offered, VirtioFeature.accessPlatform) || hasFeature(accepted, VirtioFeature.accessPlatform)
  );
}

/**
 * Whether `virtio_set_status` stores `next` over `current`: not when `next` sets FEATURES_OK for
 * the first time and `acceptsFeaturesOk` refuses the features the driver accepted.
 */
export function storesStatus(
  current: number,
  next: number,
  offered: FeatureSet,
  accepted: FeatureSet,
): boolean {
  const isFeaturesOkNew = (next & VirtioStatus.featuresOk) !== 0 && (current & VirtioStatus.featuresOk) === 0;
  return !isFeaturesOkNew || acceptsFeaturesOk(offered, accepted);
}
