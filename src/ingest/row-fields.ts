import { ROW_FIELDS, type RowField } from '../domain/fields.ts';

export { ROW_FIELDS, type RowField };

const BY_LOWER = new Map<string, RowField>(ROW_FIELDS.map((f) => [f.toLowerCase(), f]));

/** Input field names match case-insensitively (E5 itself matches field names that way). */
export function lookupRowField(name: string): RowField | undefined {
  return BY_LOWER.get(name.trim().toLowerCase());
}

/** A value as an error message shows it: JSON-quoted, cut to about 40 characters. */
export function showValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return typeof value === 'string' ? JSON.stringify(cut) : cut;
}
