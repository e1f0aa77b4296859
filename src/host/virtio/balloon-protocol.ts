/** virtio-balloon as both sides speak it (include/uapi/linux/virtio_balloon.h). */

/** The balloon works in 4 KiB pages whatever the guest's page size (VIRTIO_BALLOON_PFN_SHIFT 12). */
export const BALLOON_PAGE_BYTES = 4096;
export const BALLOON_INFLATE_QUEUE = 0;
export const BALLOON_DEFLATE_QUEUE = 1;
/** VIRTIO_BALLOON_F_PAGE_POISON: the guest poisons (or zeroes) the pages it frees. */
export const BALLOON_F_PAGE_POISON = 4;
/** VIRTIO_BALLOON_ARRAY_PFNS_MAX: PFNs per request. */
export const BALLOON_PFNS_PER_REQUEST = 256;

/** `struct virtio_balloon_config`: the host's target and the guest's reported size, in balloon pages. */
export interface BalloonConfig extends Record<string, number> {
  /** num_pages: written by the device (the host's target). */
  numPages: number;
  /** actual: written by the driver (`update_balloon_size`). */
  actual: number;
}

/** The balloon's part of the device state migration carries. */
export interface BalloonMigrationState {
  readonly type: 'balloon';
  readonly targetPages: number;
  readonly actualPages: number;
  readonly reclaimedPages: number;
  readonly unreclaimedPages: number;
}
