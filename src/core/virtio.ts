/** Device status bits (include/uapi/linux/virtio_config.h). */
export const VirtioStatus = {
  acknowledge: 1,
  driver: 2,
  driverOk: 4,
  featuresOk: 8,
  needsReset: 64,
  failed: 128,
} as const;

/** Feature bits; transport bits are shared by every device type. */
export const VirtioFeature = {
  // virtio-blk
  blkSegMax: 2,
  blkBlkSize: 6,
  blkFlush: 9,
  // virtio-net
  netCsum: 0,
  netMac: 5,
  netMrgRxbuf: 15,
  netStatus: 16,
  // virtio-balloon
  balloonMustTellHost: 0,
  balloonStatsVq: 1,
  // transport
  indirectDesc: 28,
  eventIdx: 29,
  version1: 32,
  accessPlatform: 33,
  orderPlatform: 36,
} as const;

const TRANSPORT_FEATURE_NAMES: ReadonlyMap<number, string> = new Map([
  [28, 'INDIRECT_DESC'],
  [29, 'EVENT_IDX'],
  [32, 'VERSION_1'],
  [33, 'ACCESS_PLATFORM'],
  [36, 'ORDER_PLATFORM'],
]);

/** A set of feature bits (bit numbers go past 32, so this is a bigint mask). */
export type FeatureSet = bigint;

export function featureSet(...bits: number[]): FeatureSet {
  let mask = 0n;
  for (const bit of bits) mask |= 1n << BigInt(bit);
  return mask;
}

export function hasFeature(features: FeatureSet, bit: number): boolean {
  return (features & (1n << BigInt(bit))) !== 0n;
}

export function withoutFeature(features: FeatureSet, bit: number): FeatureSet {
  return features & ~(1n << BigInt(bit));
}

/**
 * Transport bits every device model offers besides its own (QEMU's virtio-pci defaults for a
 * modern device); ACCESS_PLATFORM is added only for `iommu_platform=on`.
 */
export const DEVICE_TRANSPORT_FEATURES: FeatureSet = featureSet(
  VirtioFeature.version1,
  VirtioFeature.eventIdx,
  VirtioFeature.indirectDesc,
);

/** Transport bits the guest's virtio core keeps whatever the driver (`vring_transport_features`). */
export const DRIVER_TRANSPORT_FEATURES: FeatureSet = featureSet(
  VirtioFeature.version1,
  VirtioFeature.eventIdx,
  VirtioFeature.indirectDesc,
  VirtioFeature.accessPlatform,
);

/** Names of the transport features in a set, for people. */
export function transportFeatureNames(features: FeatureSet): string[] {
  const names: string[] = [];
  for (const [bit, name] of TRANSPORT_FEATURE_NAMES) if (hasFeature(features, bit)) names.push(name);
  return names;
}

/** Descriptor flags (split ring). */
export const DescriptorFlag = {next: 1, write: 2, indirect: 4} as const;

/** The largest split queue size the spec allows. */
export const QUEUE_SIZE_MAX = 32_768;
