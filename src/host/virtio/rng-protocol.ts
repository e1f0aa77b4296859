/** virtio-rng: one request queue of device-writable buffers the device fills with entropy. */

export const RNG_REQUEST_QUEUE = 0;

/** virtio-rng keeps no state of its own beyond the rings. */
export interface RngMigrationState {
  readonly type: 'rng';
}
