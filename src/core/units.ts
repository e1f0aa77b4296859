import type {Microseconds} from './clock.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: KiB,
  kb: KiB,
  kib: KiB,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: GiB,
  gb: GiB,
  gib: GiB,
  t: TiB,
  tb: TiB,
  tib: TiB,
};

/** The units parseSize reads, from its own table: "B, K/KB/KiB, ... and T/TB/TiB (binary, any case)". */
export function sizeUnitsText(): string {
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(SIZE_UNITS).filter((unit) => unit !== '')) {
    const spelled = key.toUpperCase().replace('IB', 'iB');
    groups.set(key[0]!, [...(groups.get(key[0]!) ?? []), spelled]);
  }
  const names = [...groups.values()].map((spellings) => spellings.join('/'));
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!} (binary, any case)`;
}

/**
 * Parses a size such as `4GiB`, `128MiB`, `64K` or `4096` (bytes). Binary units throughout, as QEMU
 * and the kernel command line read them.
 * @returns bytes, or undefined when the text is not a size
 */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const multiplier = SIZE_UNITS[match[2]!.toLowerCase()];
  if (multiplier === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * multiplier);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const DURATION_UNITS: Record<string, number> = {
  us: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  min: 60_000_000,
  h: 3_600_000_000,
};

/**
 * Parses a duration such as `60s`, `500ms`, `2m`, `1h`, `250us`; a bare number means seconds.
 * @returns microseconds, or undefined when the text is not a duration
 */
export function parseDuration(text: string | number): Microseconds | undefined {
  if (typeof text === 'number')
    return Number.isFinite(text) && text >= 0 ? Math.round(text * 1_000_000) : undefined;
  const microseconds = durationWritten(text);
  return microseconds !== undefined && Number.isSafeInteger(microseconds) ? microseconds : undefined;
}

/**
 * The microseconds a text written as a duration stands for, however large (so a message can give
 * the bound rather than the form); undefined when the text is not written as a duration.
 */
export function durationWritten(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|min|h)?\s*$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
}
