import { enlarged } from './enlarged.ts';

/**
 * Maps raw input values to small integer ids through a normalising function, caching by raw
 * value. Row files repeat the same few dates, codes, products and customers on every row, so
 * after the first sighting a value costs a compare or a hash probe instead of a decode, trim,
 * regex and upper-case. Raw values come as strings (JSON, sources) or as UTF-8 byte ranges of a
 * read buffer (CSV); byte ranges are decoded only on their first sighting.
 */
export class Interner {
  /** Normalised values by id. */
  readonly values: string[] = [];
  private readonly byValue = new Map<string, number>();
  private readonly byRaw = new Map<string, number>();

  // Byte-keyed open-addressing table: slot → key index + 1 (0 = empty). Key bytes live in `arena`.
  private slots = new Int32Array(1024);
  private keyStart = new Int32Array(512);
  private keyLength = new Int32Array(512);
  private keyHash = new Int32Array(512);
  private keyId = new Int32Array(512);
  private keys = 0;
  private arena = new Uint8Array(16384);
  private arenaUsed = 0;
  /** Key index of the last byte lookup: sorted files repeat a value on consecutive rows. */
  private lastKey = -1;

  /** `normalize` returns undefined for an invalid value. */
  constructor(private readonly normalize: (raw: string) => string | undefined) {}

  get size(): number {
    return this.values.length;
  }

  /** The id of `raw`'s normalised value, or -1 when it is invalid. */
  id(raw: string): number {
    const hit = this.byRaw.get(raw);
    if (hit !== undefined) return hit;
    const id = this.resolve(raw);
    this.byRaw.set(detach(raw), id);
    return id;
  }

  /** The id of the value whose UTF-8 bytes are `buf[start, end)`, or -1 when it is invalid. */
  idBytes(buf: Buffer, start: number, end: number): number {
    const length = end - start;
    const arena = this.arena;
    const last = this.lastKey;
    if (last >= 0 && this.keyLength[last] === length) {
      const at = this.keyStart[last]! - start;
      let i = start;
      while (i < end && arena[at + i] === buf[i]) i++;
      if (i === end) return this.keyId[last]!;
    }
    let h = 0x811c9dc5 ^ length;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot]! - 1;
      if (k < 0) break;
      if (this.keyHash[k] !== h || this.keyLength[k] !== length) continue;
      const at = this.keyStart[k]! - start;
      let i = start;
      while (i < end && arena[at + i] === buf[i]) i++;
      if (i === end) {
        this.lastKey = k;
        return this.keyId[k]!;
      }
    }
    const id = this.resolve(buf.toString('utf8', start, end));
    this.lastKey = this.insert(buf, start, end, h, id);
    return id;
  }

  private resolve(raw: string): number {
    const value = this.normalize(raw);
    if (value === undefined) return -1;
    const stored = detach(value);
    let id = this.byValue.get(stored);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(stored);
      this.byValue.set(stored, id);
    }
    return id;
  }

  private insert(buf: Buffer, start: number, end: number, hash: number, id: number): number {
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      this.arena = enlarged(this.arena, Math.max(this.arena.length * 2, this.arenaUsed + length));
    }
    this.arena.set(buf.subarray(start, end), this.arenaUsed);
    const k = this.keys++;
    if (k === this.keyStart.length) this.growKeys();
    this.keyStart[k] = this.arenaUsed;
    this.keyLength[k] = length;
    this.keyHash[k] = hash;
    this.keyId[k] = id;
    this.arenaUsed += length;
    if (this.keys * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(k);
    return k;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let slot = this.keyHash[k]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = k + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let k = 0; k < this.keys; k++) this.place(k);
  }

  private growKeys(): void {
    const size = this.keyStart.length * 2;
    this.keyStart = enlarged(this.keyStart, size);
    this.keyLength = enlarged(this.keyLength, size);
    this.keyHash = enlarged(this.keyHash, size);
    this.keyId = enlarged(this.keyId, size);
  }
}

/**
 * A copy of `s` that does not keep a parent string alive. V8 makes substrings of 13+ characters
 * views into their parent, which may be a whole input file (JSON); flattening a fresh
 * concatenation yields an independent string.
 */
export function detach(s: string): string {
  if (s.length < 13) return s;
  return ` ${s}`.slice(1);
}
