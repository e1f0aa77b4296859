import type {VmSnapshot} from '../host/snapshot-types.js';

/** A VM's devices in trouble: broken (needs reset) and refused at probe. */
interface DeviceTrouble {
  readonly broken: number;
  readonly refused: number;
}

/**
 * The one count of a VM's device trouble: the DEVICES column, its sort and the status line's
 * outcome of `s` all ask it.
 */
export function deviceTrouble(vm: VmSnapshot): DeviceTrouble {
  let broken = 0;
  let refused = 0;
  for (const device of vm.devices) {
    if (device.status === 'needs-reset') broken++;
    else if (device.status === 'refused') refused++;
  }
  return {broken, refused};
}

/** Devices ranked as the column ranks them: any broken above any refused. */
export function troubleRank(vm: VmSnapshot): number {
  const {broken, refused} = deviceTrouble(vm);
  return broken * 1_000_000 + refused;
}
