import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {PageTable} from '../../src/core/page-table.js';

describe('page table', () => {
  it('behaves like a map of page numbers, whatever the sequence of sets and deletes', () => {
    const pages = 5000;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({min: 0, max: pages - 1}), fc.integer()), {
          maxLength: 300,
        }),
        (operations) => {
          const table = new PageTable<number>(pages);
          const model = new Map<number, number>();
          for (const [isSet, pfn, value] of operations) {
            if (isSet) {
              table.set(pfn, value);
              model.set(pfn, value);
            } else {
              expect(table.delete(pfn)).toBe(model.delete(pfn));
            }
            expect(table.get(pfn)).toBe(model.get(pfn));
          }
          expect(table.size).toBe(model.size);
          expect([...table.values()].sort((a, b) => a - b)).toEqual(
            [...model.values()].sort((a, b) => a - b),
          );
          table.clear();
          expect(table.size).toBe(0);
          expect(table.has(operations[0]?.[1] ?? 0)).toBe(false);
        },
      ),
    );
  });
});
