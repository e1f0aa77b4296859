import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {genericError, ok, type CommandOutcome} from './qmp-command.js';
import {runStateOf} from './run-state.js';
import {decodeFeatures, decodeStatus, VIRTIO_DEVICE_KINDS} from './virtio-names.js';

const DRIVER_OK = 4;

/** Where QEMU puts an anonymous `-device virtio-*-pci` and its VirtIODevice child. */
export const virtioPath = (index: number) => `/machine/peripheral-anon/device[${index}]/virtio-backend`;

/** x-query-virtio: newest device first, as QEMU's realized-device list is kept. */
function queryVirtio(context: MonitorContext): CommandOutcome {
  const devices = context.port.virtioDevices(context.vm);
  return ok(
    devices
      .map((device) => ({name: VIRTIO_DEVICE_KINDS[device.type].name, path: virtioPath(device.index)}))
      .reverse(),
  );
}

/**
 * x-query-virtio-status (QEMU 7.2 VirtioStatus): the device's real status byte and feature sets.
 * svmtop's devices have no vhost, are big-endian pseries devices, and sit behind modern-only PCI.
 */
function queryVirtioStatus(context: MonitorContext, path: string): CommandOutcome {
  const device = context.port
    .virtioDevices(context.vm)
    .find((candidate) => virtioPath(candidate.index) === path);
  if (!device) return genericError(`Path ${path} is not a VirtIODevice`);
  const kind = VIRTIO_DEVICE_KINDS[device.type];
  const facts = context.port.facts(context.vm);
  const empty = {transports: [], 'dev-features': []};
  return ok({
    name: kind.name,
    'device-id': kind.deviceId,
    'vhost-started': false,
    'device-endian': 'big',
    'guest-features': decodeFeatures(device.negotiatedFeatures, kind.features),
    'host-features': decodeFeatures(device.offeredFeatures, kind.features),
    'backend-features': empty,
    'num-vqs': device.queueCount,
    status: {statuses: decodeStatus(device.status)},
    isr: 0,
    'queue-sel': 0,
    'vm-running': facts !== undefined && runStateOf(facts) === 'running',
    broken: device.isBroken,
    disabled: false,
    'use-started': true,
    started: (device.status & DRIVER_OK) !== 0,
    'start-on-kick': false,
    'disable-legacy-check': false,
    'bus-name': '',
    'use-guest-notifier-mask': true,
  });
}

export const VIRTIO_COMMANDS: readonly MonitorCommand[] = [
  {name: 'x-query-virtio', run: queryVirtio},
  {
    name: 'x-query-virtio-status',
    args: [{name: 'path', type: 'str'}],
    run: (context, args) => queryVirtioStatus(context, args.path as string),
  },
];
