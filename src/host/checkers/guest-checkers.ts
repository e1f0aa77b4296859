import {ConsoleChecker} from './console-checker.js';
import {DiskShadow} from './disk-shadow.js';
import {EntropyChecker} from './entropy-checker.js';
import {NetFlowChecker} from './net-flow-checker.js';

/**
 * What a guest's workload sent and must get back, per device, kept outside both the guest's
 * drivers and the hypervisor's devices: it lives as long as the guest, across reboots and
 * migrations (DESIGN §2.9: data is verified end to end).
 */
export class GuestCheckers {
  /** The application's record of its disk (the one disk every virtio-blk device of the guest shares). */
  readonly disk = new DiskShadow();
  readonly #entropy = new Map<number, EntropyChecker>();
  readonly #net = new Map<number, NetFlowChecker>();
  readonly #console = new Map<number, ConsoleChecker>();

  entropy(deviceIndex: number): EntropyChecker {
    return getOrCreate(this.#entropy, deviceIndex, () => new EntropyChecker());
  }

  net(deviceIndex: number): NetFlowChecker {
    return getOrCreate(this.#net, deviceIndex, () => new NetFlowChecker());
  }

  console(deviceIndex: number): ConsoleChecker {
    return getOrCreate(this.#console, deviceIndex, () => new ConsoleChecker());
  }
}

function getOrCreate<Value>(map: Map<number, Value>, key: number, create: () => Value): Value {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
