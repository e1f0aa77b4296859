import type {VmSnapshot} from '../host/snapshot-types.js';
import type {SortKey} from './dashboard-model.js';
import {bounceFraction, securityLabel} from './vm-columns.js';

const SORT_VALUE: Record<SortKey, (vm: VmSnapshot) => string | number> = {
  name: (vm) => vm.name,
  host: (vm) => vm.host,
  state: (vm) => vm.state,
  security: (vm) => securityLabel(vm),
  bounce: (vm) => bounceFraction(vm),
  io: (vm) => vm.io.bytesPerSecond,
};

/** The VMs to list: filtered by a substring of name, host, state or security, then sorted (name breaks ties). */
export function orderVms(
  vms: readonly VmSnapshot[],
  filter: string,
  sortKey: SortKey,
  isDescending: boolean,
): VmSnapshot[] {
  const needle = filter.trim().toLowerCase();
  const shown =
    needle === ''
      ? [...vms]
      : vms.filter((vm) =>
          [vm.name, vm.host, vm.state, securityLabel(vm)].some((text) => text.toLowerCase().includes(needle)),
        );
  const value = SORT_VALUE[sortKey];
  return shown.sort((a, b) => {
    const left = value(a);
    const right = value(b);
    const order = left < right ? -1 : left > right ? 1 : a.name.localeCompare(b.name);
    return isDescending ? -order : order;
  });
}
