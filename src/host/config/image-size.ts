import {GiB, KiB, MiB} from '../../core/units.js';

/** Largest guest image svmtop generates (a kernel plus initramfs for the simulator). */
export const IMAGE_MAX_BYTES = 8 * MiB;

/** The bootloader reads the image in whole blocks of this size (guest-effects.ts runBootloader). */
export const IMAGE_READ_BLOCK_BYTES = 4 * KiB;

/**
 * An image size svmtop can generate; QEMU likewise refuses at start a kernel it cannot load
 * (qemu/qemu hw/*: load_image_targphys bounded by RAM, then "could not load kernel '%s'").
 * @returns the rule broken, or undefined
 */
export function checkImageSize(bytes: number): string | undefined {
  return bytes >= 1 && bytes <= IMAGE_MAX_BYTES
    ? undefined
    : `expected an image of 1 byte to ${exactBytes(IMAGE_MAX_BYTES)} (the largest svmtop generates)`;
}

/** Bytes exactly, in the largest unit that divides them: `256KiB`, `1000 bytes`. */
export function exactBytes(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 * GiB],
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}
