/**
 * The form each row field is stored in, and the one function per form that turns an input value
 * into it. Every reader of row files normalises through these, and a load that skips them (the
 * direct CSV load, see docs/benchmarks.md) must prove its values already are in stored form.
 */
import { utcDayOf } from './dates.ts';
import type { RowField } from './fields.ts';
import { normalizeGuid } from './guid.ts';

/**
 * - `day`: a UTC calendar day `YYYY-MM-DD` (input: any `processedDateTime` form, see `utcDayOf`);
 * - `text`: the value with surrounding white space removed, never empty;
 * - `lowercase`: as `text`, then lower-cased;
 * - `guid`: upper-case, hyphenated, no braces;
 * - `count`: a whole number from 0 to 2^31-1 (checked by the readers, which see numbers too).
 */
export type StoredForm = 'day' | 'text' | 'lowercase' | 'guid' | 'count';

export const STORED_FORM: Readonly<Record<RowField, StoredForm>> = Object.freeze({
  processedDateTime: 'day',
  serviceCode: 'lowercase',
  serviceName: 'text',
  channel: 'lowercase',
  customerTenantId: 'guid',
  customerName: 'text',
  productId: 'guid',
  productName: 'text',
  licensesDeployed: 'count',
  licensesSold: 'count',
});

export type TextForm = Exclude<StoredForm, 'count'>;

const trimmed = (raw: string): string | undefined => {
  const t = raw.trim();
  return t === '' ? undefined : t;
};

/** The stored form of `raw`, or undefined when it has none (not a date, not a GUID, empty). */
export const TO_STORED_FORM: Readonly<Record<TextForm, (raw: string) => string | undefined>> = Object.freeze({
  day: (raw: string) => utcDayOf(raw),
  text: trimmed,
  lowercase: (raw: string) => trimmed(raw)?.toLowerCase(),
  guid: (raw: string) => normalizeGuid(raw.trim()),
});

/** The largest seat count (`count` form): counts are stored as 32-bit signed integers elsewhere. */
export const MAX_COUNT = 2 ** 31 - 1;

/**
 * The count written as `bytes[start, end)` when that is 1 to 10 ASCII digits and at most
 * MAX_COUNT (the form every reader accepts without further thought), else -1.
 */
export function plainCount(bytes: Uint8Array, start: number, end: number): number {
  if (end === start || end - start > 10) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= MAX_COUNT ? n : -1;
}
