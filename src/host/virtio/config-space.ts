import {assert, invariantBroken} from '../../core/assert.js';
import type {DeviceType} from '../config/world-schema.js';
import type {BalloonConfig} from './balloon-protocol.js';

/**
 * A device's configuration space, typed (QEMU keeps it as bytes behind `get_config`/`set_config`):
 * the device sets its fields, the driver reads them and writes only the fields the device type
 * lets it write, which the device hears of at once (QEMU's `set_config` hook).
 */
export class ConfigSpace<Fields extends Record<string, number>> {
  readonly #fields: Record<string, number>;
  readonly #driverWritable: ReadonlySet<string>;
  #onDriverWrite: ((key: string) => void) | undefined;

  constructor(initial: Fields, driverWritable: readonly (keyof Fields & string)[] = []) {
    this.#fields = {...initial};
    this.#driverWritable = new Set(driverWritable);
  }

  /** The device's `set_config` hook; called after a driver write. */
  onDriverWrite(hook: (key: keyof Fields & string) => void): void {
    this.#onDriverWrite = hook as (key: string) => void;
  }

  /** A field as either side reads it (`virtio_cread`). */
  read<Key extends keyof Fields & string>(key: Key): Fields[Key] {
    return this.#fields[key] as Fields[Key];
  }

  /** The driver writes a field (`virtio_cwrite`); only fields the device type declares writable. */
  write<Key extends keyof Fields & string>(key: Key, value: Fields[Key]): void {
    assert(this.#driverWritable.has(key), `virtio config: ${key} is read-only for the driver`);
    this.#fields[key] = value;
    this.#onDriverWrite?.(key);
  }

  /** The device sets a field (the host changed it, or a migration restored it). */
  set<Key extends keyof Fields & string>(key: Key, value: Fields[Key]): void {
    this.#fields[key] = value;
  }
}

/** The config space of a device type whose fields the model does not use. */
export type EmptyConfig = Record<never, number>;

/** A device's config space by device type: the transport carries it, each driver takes its own type's. */
export type DeviceConfigSpace =
  | {readonly type: 'balloon'; readonly space: ConfigSpace<BalloonConfig>}
  | {readonly type: Exclude<DeviceType, 'balloon'>; readonly space: ConfigSpace<EmptyConfig>};

/** The balloon's config space; binding the balloon driver to another device is a programmer error. */
export function balloonConfigSpace(config: DeviceConfigSpace): ConfigSpace<BalloonConfig> {
  if (config.type !== 'balloon') invariantBroken(`virtio_balloon bound to a virtio-${config.type} device`);
  return config.space;
}

/** A config space without fields, for a device type that has none the model uses. */
export function emptyConfigSpace(type: Exclude<DeviceType, 'balloon'>): DeviceConfigSpace {
  return {type, space: new ConfigSpace<EmptyConfig>({})};
}
