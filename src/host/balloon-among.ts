import type {VirtioBackend} from './virtio/backend.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';

/** The balloon among a guest's devices (the guest asks once per set of devices, not per snapshot). */
export function balloonAmong(backends: readonly VirtioBackend[]): BalloonBackend | undefined {
  return backends.find((backend) => backend.type === 'balloon') as BalloonBackend | undefined;
}
