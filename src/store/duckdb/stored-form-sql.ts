/**
 * DuckDB predicates that hold for a value only if it already is in its stored form
 * (domain/stored-form.ts), so the direct CSV load can prove, in SQL, that it
 * stored what the JavaScript normalisers would have. Each is sound, not complete: a value it
 * refuses may still be valid, and then the import takes the validating path.
 *
 * The tests (stored-form-sql.test.ts) check them against the JavaScript functions over every code
 * point and over generated values.
 */
import type { StoredForm } from '../../domain/stored-form.ts';

/**
 * Exactly the code points `String.prototype.trim` removes (ECMAScript's WhiteSpace and
 * LineTerminator).
 */
export const JS_TRIM_CODE_POINTS: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];

const HEX = '[0-9A-F]';

/**
 * The only conversions the direct CSV load applies to a text value `v` (a SQL expression) before
 * storing it: GUIDs upper-cased (no character outside ASCII upper-cases to a hexadecimal digit or a
 * hyphen, so a canonical result proves the input was ASCII), and ASCII codes lower-cased (outside
 * ASCII, DuckDB's `lower` differs from JavaScript's: it maps U+0130 to `i`, so those are left as they
 * are, for `inStoredForm` to refuse).
 */
export function toStoredFormSql(form: Exclude<StoredForm, 'day' | 'count'>, v: string): string {
  switch (form) {
    case 'guid':
      return `upper(${v})`;
    case 'lowercase':
      return `CASE WHEN strlen(${v}) = length(${v}) THEN lower(${v}) ELSE ${v} END`;
    case 'text':
      return v;
  }
}

/** `v` (a SQL expression) is in the stored form `form`. */
export function inStoredForm(form: Exclude<StoredForm, 'day' | 'count'>, v: string): string {
  switch (form) {
    case 'guid':
      return `regexp_full_match(${v}, '${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12}')`;
    case 'text': {
      // `unicode` gives the first code point, `right(…, 1)` the last one.
      const trim = JS_TRIM_CODE_POINTS.join(', ');
      return `(${v} <> '' AND unicode(${v}) NOT IN (${trim}) AND unicode(right(${v}, 1)) NOT IN (${trim}))`;
    }
    case 'lowercase':
      // Printable ASCII without upper-case letters, not starting or ending with a space: for such a
      // value trimming and lower-casing change nothing, in any implementation.
      return `regexp_full_match(${v}, '[!-@\\[-~]([ -@\\[-~]*[!-@\\[-~])?')`;
  }
}
