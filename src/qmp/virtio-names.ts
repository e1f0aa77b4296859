/**
 * QEMU 7.2's names for virtio feature and status bits, as x-query-virtio-status prints them
 * (qemu/qemu hw/virtio/virtio.c virtio_transport_map, virtio_config_status_map and the
 * per-device virtio_*_feature_map tables; later moved to hw/virtio/virtio-qmp.c). Each list is in
 * QEMU's table order; qmp_decode_features prepends, so replies list them in reverse.
 */
export type BitNames = ReadonlyArray<readonly [bit: number, text: string]>;

export const TRANSPORT_FEATURES: BitNames = [
  [24, 'VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ'],
  [27, 'VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts'],
  [32, 'VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)'],
  [33, 'VIRTIO_F_IOMMU_PLATFORM: Device can be used on IOMMU platform'],
  [34, 'VIRTIO_F_RING_PACKED: Device supports packed VQ layout'],
  [35, 'VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver'],
  [36, 'VIRTIO_F_ORDER_PLATFORM: Memory accesses ordered by platform'],
  [37, 'VIRTIO_F_SR_IOV: Device supports single root I/O virtualization'],
  [28, 'VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported'],
  [29, 'VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled'],
];

const VHOST: BitNames = [
  [42, 'VHOST_F_LOG_ALL: Logging write descriptors supported'],
  [30, 'VHOST_USER_F_PROTOCOL_FEATURES: Vhost-user protocol features negotiation supported'],
];

const BLK_FEATURES: BitNames = [
  [1, 'VIRTIO_BLK_F_SIZE_MAX: Max segment size is size_max'],
  [2, 'VIRTIO_BLK_F_SEG_MAX: Max segments in a request is seg_max'],
  [4, 'VIRTIO_BLK_F_GEOMETRY: Legacy geometry available'],
  [5, 'VIRTIO_BLK_F_RO: Device is read-only'],
  [6, 'VIRTIO_BLK_F_BLK_SIZE: Block size of disk available'],
  [10, 'VIRTIO_BLK_F_TOPOLOGY: Topology information available'],
  [12, 'VIRTIO_BLK_F_MQ: Multiqueue supported'],
  [13, 'VIRTIO_BLK_F_DISCARD: Discard command supported'],
  [14, 'VIRTIO_BLK_F_WRITE_ZEROES: Write zeroes command supported'],
  [0, 'VIRTIO_BLK_F_BARRIER: Request barriers supported'],
  [7, 'VIRTIO_BLK_F_SCSI: SCSI packet commands supported'],
  [9, 'VIRTIO_BLK_F_FLUSH: Flush command supported'],
  [11, 'VIRTIO_BLK_F_CONFIG_WCE: Cache writeback and writethrough modes supported'],
  ...VHOST,
];

const NET_FEATURES: BitNames = [
  [0, 'VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported'],
  [1, 'VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported'],
  [2, 'VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported'],
  [3, 'VIRTIO_NET_F_MTU: Device max MTU reporting supported'],
  [5, 'VIRTIO_NET_F_MAC: Device has given MAC address'],
  [15, 'VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers'],
  [16, 'VIRTIO_NET_F_STATUS: Configuration status field available'],
  [17, 'VIRTIO_NET_F_CTRL_VQ: Control channel available'],
  [6, 'VIRTIO_NET_F_GSO: Handling GSO-type packets supported'],
  ...VHOST,
];

const SERIAL_FEATURES: BitNames = [
  [0, 'VIRTIO_CONSOLE_F_SIZE: Host providing console size'],
  [1, 'VIRTIO_CONSOLE_F_MULTIPORT: Multiple ports for device supported'],
  [2, 'VIRTIO_CONSOLE_F_EMERG_WRITE: Emergency write supported'],
];

const BALLOON_FEATURES: BitNames = [
  [0, 'VIRTIO_BALLOON_F_MUST_TELL_HOST: Tell host before reclaiming pages'],
  [1, 'VIRTIO_BALLOON_F_STATS_VQ: Guest memory stats VQ available'],
  [2, 'VIRTIO_BALLOON_F_DEFLATE_ON_OOM: Deflate balloon when guest OOM'],
  [3, 'VIRTIO_BALLOON_F_FREE_PAGE_HINT: VQ reporting free pages enabled'],
  [4, 'VIRTIO_BALLOON_F_PAGE_POISON: Guest page poisoning enabled'],
  [5, 'VIRTIO_BALLOON_F_REPORTING: Page reporting VQ enabled'],
];

export const STATUS_BITS: BitNames = [
  [4, 'VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready'],
  [8, 'VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete'],
  [2, 'VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device'],
  [64, 'VIRTIO_CONFIG_S_NEEDS_RESET: Irrecoverable error, device needs reset'],
  [128, 'VIRTIO_CONFIG_S_FAILED: Error in guest, device failed'],
  [1, 'VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found'],
];

/** QEMU's device name (virtio_device_names), virtio device ID and device feature table per type. */
export const VIRTIO_DEVICE_KINDS = {
  net: {name: 'virtio-net', deviceId: 1, features: NET_FEATURES},
  blk: {name: 'virtio-blk', deviceId: 2, features: BLK_FEATURES},
  console: {name: 'virtio-serial', deviceId: 3, features: SERIAL_FEATURES},
  rng: {name: 'virtio-rng', deviceId: 4, features: VHOST},
  balloon: {name: 'virtio-balloon', deviceId: 5, features: BALLOON_FEATURES},
} as const;

/** qmp_decode_features: transport and device names (newest-first, as QEMU lists them), unknown bits. */
export function decodeFeatures(
  features: bigint,
  deviceFeatures: BitNames,
): {transports: string[]; 'dev-features': string[]; 'unknown-dev-features'?: number} {
  let rest = features;
  const take = (table: BitNames) => {
    const names: string[] = [];
    for (const [bit, text] of table) {
      const mask = 1n << BigInt(bit);
      if (rest & mask) {
        names.unshift(text);
        rest &= ~mask;
      }
    }
    return names;
  };
  const transports = take(TRANSPORT_FEATURES);
  const devFeatures = take(deviceFeatures);
  return rest === 0n
    ? {transports, 'dev-features': devFeatures}
    : {transports, 'dev-features': devFeatures, 'unknown-dev-features': Number(rest)};
}

/** qmp_decode_status: the status byte's bits by name, newest-first. */
export function decodeStatus(status: number): string[] {
  return STATUS_BITS.filter(([bit]) => (status & bit) !== 0)
    .map(([, text]) => text)
    .reverse();
}
