import type {MigrationSnapshot} from '../snapshot-types.js';
import {
  BLOCK_NAME_BYTES,
  EOS_BYTES,
  NORMAL_TARGET_PAGE_WIRE_BYTES,
  SECURE_PAGE_OVERHEAD_BYTES,
  TARGET_PAGES_PER_GUEST_PAGE,
  TARGET_PAGE_SIZE,
  ZERO_TARGET_PAGE_WIRE_BYTES,
} from './ram-stream.js';

/**
 * How query-migrate's RAM counters must relate (qemu/qemu migration/ram.c): `transferred` is every
 * normal target page with its header, every zero page as header and byte, the block's name once,
 * an 8-byte EOS per ram_save_iterate call (and svmtop's IV and tag per encrypted guest page);
 * `normal-bytes` is `normal` × page size. @returns what does not add up, empty when all does
 */
export function ramCounterProblems(migration: MigrationSnapshot): string[] {
  const {ram, encryptedPages} = migration;
  if (migration.blockedReasons.length > 0) return [];
  const problems: string[] = [];
  const pages = ram.normal + ram.duplicate;
  if (ram.pageSize !== TARGET_PAGE_SIZE) problems.push(`page-size ${ram.pageSize}, not ${TARGET_PAGE_SIZE}`);
  if (ram.normalBytes !== ram.normal * TARGET_PAGE_SIZE)
    problems.push(`normal-bytes ${ram.normalBytes} is not normal ${ram.normal} x ${TARGET_PAGE_SIZE}`);
  if (pages % TARGET_PAGES_PER_GUEST_PAGE !== 0 || encryptedPages % TARGET_PAGES_PER_GUEST_PAGE !== 0)
    problems.push(`${pages} target pages sent (${encryptedPages} encrypted): not whole 64KiB guest pages`);
  if (encryptedPages > ram.normal)
    problems.push(`${encryptedPages} encrypted pages but ${ram.normal} normal`);
  const pageBytes =
    ram.normal * NORMAL_TARGET_PAGE_WIRE_BYTES +
    ram.duplicate * ZERO_TARGET_PAGE_WIRE_BYTES +
    (pages > 0 ? BLOCK_NAME_BYTES : 0) +
    (encryptedPages / TARGET_PAGES_PER_GUEST_PAGE) * SECURE_PAGE_OVERHEAD_BYTES;
  const markers = ram.transferred - pageBytes;
  if (markers < 0 || markers % EOS_BYTES !== 0)
    problems.push(`transferred ${ram.transferred} is not pages (${pageBytes} bytes) plus 8-byte EOS markers`);
  if (
    ram.remaining < 0 ||
    ram.remaining > ram.total ||
    ram.remaining % (TARGET_PAGE_SIZE * TARGET_PAGES_PER_GUEST_PAGE) !== 0
  )
    problems.push(`remaining ${ram.remaining} of ${ram.total}`);
  if (migration.status === 'completed' && pages * TARGET_PAGE_SIZE < ram.total)
    problems.push(`completed after sending ${pages} target pages of ${ram.total / TARGET_PAGE_SIZE}`);
  return problems;
}
