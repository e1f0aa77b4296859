/** Every key the dashboard knows, as the help overlay lists it; the key bar shows the first few. */
export const KEY_BINDINGS: ReadonlyArray<{
  readonly keys: string;
  readonly action: string;
  readonly label?: string;
  /** How the key bar spells the keys, when not the first of `keys`. */
  readonly barKeys?: string;
}> = [
  {keys: 'j k ↑↓', action: 'select VM', label: 'select', barKeys: 'j/k'},
  {keys: 'PgUp PgDn g G', action: 'page / first / last VM'},
  {keys: 'Tab S-Tab Enter 1-4', action: 'detail tab: devices, swiotlb, migration, events', label: 'tabs'},
  {keys: 's', action: 'go secure (kexec with svm=on; asks first)', label: 'secure'},
  {keys: 'u', action: 'back to normal (reboot with svm=off; asks first)', label: 'normal'},
  {keys: 'r', action: 'reboot (keeps svm=; asks first)', label: 'reboot'},
  {keys: 'p', action: 'pause / resume', label: 'pause'},
  {keys: 'b B', action: 'balloon +256 MiB / -256 MiB', label: 'balloon'},
  {keys: 'P', action: 'cycle DMA policy (next boot)'},
  {keys: 'w', action: 'cycle workload'},
  {keys: 'm', action: 'migrate: pick a host (each says why it would refuse)', label: 'migrate'},
  {keys: 'c', action: 'cancel the migration', label: 'cancel'},
  {keys: '+ -', action: 'simulation speed ×2 / ÷2'},
  {keys: '/', action: 'filter by name, host, state or security', label: 'filter'},
  {keys: '< > I', action: 'sort column left / right, invert'},
  {keys: 'Esc', action: 'close overlay, clear filter'},
  {keys: '?', action: 'this help', label: 'help'},
  {keys: 'q Ctrl-C', action: 'quit', label: 'quit'},
];
