import { enlarged } from './enlarged.ts';

// Budgets of the packed key: 2^29 customers × 2^24 (product, day, channel) combinations; the
// product stays below 2^53, so the packed key is an exact double.
const COMBO_LIMIT = 2 ** 24;
const CUSTOMER_LIMIT = 2 ** 29;

/**
 * Finds rows that repeat the store key (processed date, customer, product, channel) of an earlier
 * row, given the interned ids of those four values. Each row's key is packed into one number and
 * the check runs once at the end by sorting a Float64Array, which is several times cheaper than a
 * Map lookup per row. Ids beyond the packing budget (far past any real partner) are checked at
 * once through a Map keyed by string instead.
 */
export class DuplicateKeys {
  /** product id → day id → channel id → combo id. */
  private readonly combos: number[][][] = [];
  private comboCount = 0;
  /** Packed key of each row (-1: checked through `wideKeys`). */
  private packed = new Float64Array(1024);
  private rows = 0;
  private readonly wideKeys = new Map<string, number>();

  /** The limits are parameters only so that tests can reach the wide-key path. */
  constructor(
    private readonly comboLimit = COMBO_LIMIT,
    private readonly customerLimit = CUSTOMER_LIMIT,
  ) {}

  /**
   * Registers the key of the next row. Returns -1, or the index of an earlier row with the same
   * key when that is known immediately (wide keys); the row is then not registered.
   */
  add(day: number, customer: number, product: number, channel: number): number {
    let byDay = this.combos[product];
    if (byDay === undefined) {
      byDay = [];
      this.combos[product] = byDay;
    }
    let byChannel = byDay[day];
    if (byChannel === undefined) {
      byChannel = [];
      byDay[day] = byChannel;
    }
    let combo = byChannel[channel];
    if (combo === undefined) {
      combo = this.comboCount++;
      byChannel[channel] = combo;
    }
    const row = this.rows;
    if (row === this.packed.length) {
      this.packed = enlarged(this.packed, row * 2);
    }
    if (combo < this.comboLimit && customer < this.customerLimit) {
      this.packed[row] = customer * this.comboLimit + combo;
    } else {
      const key = `${customer},${combo}`;
      const previous = this.wideKeys.get(key);
      if (previous !== undefined) return previous;
      this.wideKeys.set(key, row);
      this.packed[row] = -1;
    }
    this.rows++;
    return -1;
  }

  /** Every row whose key an earlier row had, as [row, first row with that key], in row order. */
  repeats(): [number, number][] {
    const keys = this.packed.subarray(0, this.rows);
    const sorted = keys.slice().sort();
    const first = new Map<number, number>();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1] && sorted[i]! >= 0) first.set(sorted[i]!, -1);
    }
    const out: [number, number][] = [];
    if (first.size === 0) return out;
    for (let row = 0; row < keys.length; row++) {
      const seen = first.get(keys[row]!);
      if (seen === undefined) continue;
      if (seen < 0) first.set(keys[row]!, row);
      else out.push([row, seen]);
    }
    return out;
  }
}
