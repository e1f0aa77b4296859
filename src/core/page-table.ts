const LEAF_BITS = 9;
const LEAF_PAGES = 1 << LEAF_BITS;

/**
 * A sparse map from page number to value: a directory of 512-entry leaves made on first use. A
 * hash map over thousands of pages missed the cache on most lookups; two array loads do not.
 * Page numbers stay below 2^32 (256 TiB of 64 KiB pages).
 */
export class PageTable<T> {
  readonly #leaves: Array<Array<T | undefined> | undefined>;
  #size = 0;

  constructor(pageCount: number) {
    this.#leaves = new Array<Array<T | undefined> | undefined>(Math.ceil(pageCount / LEAF_PAGES)).fill(
      undefined,
    );
  }

  get size(): number {
    return this.#size;
  }

  get(pfn: number): T | undefined {
    return this.#leaves[pfn >>> LEAF_BITS]?.[pfn & (LEAF_PAGES - 1)];
  }

  has(pfn: number): boolean {
    return this.get(pfn) !== undefined;
  }

  set(pfn: number, value: T): void {
    const index = pfn >>> LEAF_BITS;
    let leaf = this.#leaves[index];
    if (!leaf) {
      leaf = new Array<T | undefined>(LEAF_PAGES).fill(undefined);
      this.#leaves[index] = leaf;
    }
    if (leaf[pfn & (LEAF_PAGES - 1)] === undefined) this.#size++;
    leaf[pfn & (LEAF_PAGES - 1)] = value;
  }

  delete(pfn: number): boolean {
    const leaf = this.#leaves[pfn >>> LEAF_BITS];
    if (!leaf || leaf[pfn & (LEAF_PAGES - 1)] === undefined) return false;
    leaf[pfn & (LEAF_PAGES - 1)] = undefined;
    this.#size--;
    return true;
  }

  *values(): IterableIterator<T> {
    for (const leaf of this.#leaves) {
      if (!leaf) continue;
      for (const value of leaf) if (value !== undefined) yield value;
    }
  }

  clear(): void {
    this.#leaves.fill(undefined);
    this.#size = 0;
  }
}
