import { describe, expect, it } from 'vitest';
import { DuplicateKeys } from './duplicate-keys.ts';

describe('DuplicateKeys', () => {
  it('reports each later row with the first row of its key, in row order', () => {
    const keys = new DuplicateKeys();
    // (day, customer, product, channel)
    expect(keys.add(0, 0, 0, 0)).toBe(-1); // row 0
    expect(keys.add(0, 1, 0, 0)).toBe(-1); // row 1
    expect(keys.add(1, 0, 0, 0)).toBe(-1); // row 2: other day
    expect(keys.add(0, 0, 0, 1)).toBe(-1); // row 3: other channel
    expect(keys.add(0, 1, 0, 0)).toBe(-1); // row 4 = row 1
    expect(keys.add(0, 0, 0, 0)).toBe(-1); // row 5 = row 0
    expect(keys.add(0, 1, 0, 0)).toBe(-1); // row 6 = row 1
    expect(keys.repeats()).toEqual([
      [4, 1],
      [5, 0],
      [6, 1],
    ]);
  });

  it('checks keys past the packing budget at once, without registering the repeat', () => {
    const keys = new DuplicateKeys(2, 2);
    expect(keys.add(0, 0, 0, 0)).toBe(-1); // row 0, packed
    expect(keys.add(0, 5, 0, 0)).toBe(-1); // row 1, customer past the budget
    expect(keys.add(0, 5, 0, 0)).toBe(1); // repeat of row 1, not registered
    expect(keys.add(0, 0, 0, 0)).toBe(-1); // row 2, packed repeat of row 0
    expect(keys.repeats()).toEqual([[2, 0]]);
  });
});
