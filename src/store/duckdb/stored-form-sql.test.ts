/**
 * The direct CSV load trusts these predicates to prove values are in stored form, so each is held
 * against the JavaScript normaliser it stands for: over every code point where that is possible,
 * and over generated values built from the characters most likely to differ.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TO_STORED_FORM } from '../../domain/stored-form.ts';
import { Rng } from '../../ingest/prng.ts';
import { inStoredForm, JS_TRIM_CODE_POINTS, toStoredFormSql } from './stored-form-sql.ts';

let instance: DuckDBInstance;
let connection: Awaited<ReturnType<DuckDBInstance['connect']>>;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.disconnectSync();
  instance.closeSync();
});

/** The Unicode scalar values (no surrogates) `c` of code point `cp` for which `where` holds. */
async function codePoints(where: string): Promise<number[]> {
  // The CASE keeps chr() away from surrogates whatever order DuckDB evaluates the filters in.
  const scalars =
    'SELECT cp::INTEGER AS cp, CASE WHEN cp < 55296 OR cp > 57343 THEN chr(cp::INTEGER) END AS c FROM range(0, 1114112) t(cp)';
  const r = await connection.runAndReadAll(
    `SELECT cp FROM (${scalars}) WHERE c IS NOT NULL AND (${where}) ORDER BY cp`,
  );
  return r.getRows().map(([cp]) => Number(cp));
}

/** Which of `values` DuckDB's predicate for `form` (applied to `transform(v)`) accepts. */
async function accepted(
  form: 'guid' | 'text' | 'lowercase',
  values: readonly string[],
  transform = (v: string) => v,
): Promise<boolean[]> {
  const r = await connection.runAndReadAll(
    `SELECT ${inStoredForm(form, transform('v'))} FROM (SELECT unnest($1::VARCHAR[]) AS v, generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i`,
    [toListLiteral(values)],
  );
  return r.getRows().map(([ok]) => ok === true);
}

function toListLiteral(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** Random strings over an alphabet of the characters the predicates must get right. */
function generated(seed: number, alphabet: readonly string[], count: number, maxLength: number): string[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const n = rng.int(0, maxLength);
    let s = '';
    for (let i = 0; i < n; i++) s += rng.pick(alphabet);
    return s;
  });
}

const TRICKY = [
  'a',
  'Z',
  '0',
  '-',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u2028',
  '\u202f',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u180e',
  '\u0130',
  '\u212a',
  '\u0131',
  '\u017f',
  '\ufb00',
  'é',
  'É',
  'ß',
  '中',
  '😀',
  '"',
  ',',
  '{',
  '}',
];

describe('stored-form predicates', () => {
  it('JS_TRIM_CODE_POINTS are exactly the code points String.prototype.trim removes', () => {
    const trimmed: number[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (String.fromCodePoint(cp).trim() === '') trimmed.push(cp);
    }
    expect(trimmed).toEqual(JS_TRIM_CODE_POINTS);
  });

  it("DuckDB's upper() maps no character outside ASCII to a hexadecimal digit or a hyphen", async () => {
    expect(await codePoints(`cp > 127 AND regexp_matches(upper(c), '[0-9A-F-]')`)).toEqual([]);
    // …and maps every character to exactly one, so lengths and positions are kept.
    expect(await codePoints('length(upper(c)) <> 1')).toEqual([]);
  });

  it("outside ASCII, DuckDB's lower() reaches ASCII only from U+0130 and U+212A, so only ASCII is lower-cased", async () => {
    expect(await codePoints(`cp > 127 AND regexp_matches(lower(c), '[\\x00-\\x7F]')`)).toEqual([
      0x130, 0x212a,
    ]);
    // JavaScript lower-cases U+0130 to two characters; converting it would store something else.
    expect('\u0130'.toLowerCase()).toBe('i\u0307');
    const [converted] = await accepted('lowercase', ['\u0130X'], (v) => toStoredFormSql('lowercase', v));
    expect(converted).toBe(false);
  });

  it('lowercase: converting, then the predicate, accepts only what the normaliser gives the same', async () => {
    const values = generated(
      5,
      ['A', 'b', 'Z', ' ', '\t', '-', '3', '\u0130', '\u212a', 'É', 'é', 'ß'],
      4000,
      5,
    );
    const sql = (v: string) => toStoredFormSql('lowercase', v);
    const ok = await accepted('lowercase', values, sql);
    const r = await connection.runAndReadAll(
      `SELECT ${sql('v')} FROM (SELECT unnest($1::VARCHAR[]) AS v, generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i`,
      [toListLiteral(values)],
    );
    const stored = r.getRows().map(([v]) => String(v));
    const wrong = values.filter((v, i) => ok[i] && TO_STORED_FORM.lowercase(v) !== stored[i]);
    expect(wrong).toEqual([]);
    expect(ok.filter(Boolean).length).toBeGreaterThan(300);
    // Upper-case ASCII codes are accepted once converted.
    expect(await accepted('lowercase', ['O365', 'Reseller', 'DIRECT'], sql)).toEqual([true, true, true]);
  });

  it('text: accepts a single character exactly when trimming keeps it', async () => {
    const chars = await codePoints(`NOT ${inStoredForm('text', 'c')}`);
    expect(chars).toEqual(JS_TRIM_CODE_POINTS);
  });

  it('every generated value a predicate accepts is left unchanged by its normaliser', async () => {
    const values = generated(7, TRICKY, 4000, 6);
    // Most of the alphabet is outside ASCII, which `lowercase` always refuses.
    for (const [form, least] of [
      ['text', 1000],
      ['lowercase', 100],
    ] as const) {
      const ok = await accepted(form, values);
      const wrong = values.filter((v, i) => ok[i] && TO_STORED_FORM[form](v) !== v);
      expect(wrong, form).toEqual([]);
      // Not vacuous: plenty were accepted.
      expect(ok.filter(Boolean).length, form).toBeGreaterThan(least);
    }
  });

  it('guid: upper-casing then the predicate accepts only what normalizeGuid turns into the same', async () => {
    const hex = [...'0123456789abcdefABCDEF'];
    const rng = new Rng(11);
    const guids = Array.from({ length: 2000 }, () => {
      const part = (n: number) => Array.from({ length: n }, () => rng.pick(hex)).join('');
      const g = `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`;
      // Now and then one character swapped for a tricky one, or braces and spaces added.
      const r = rng.next();
      if (r < 0.3) {
        const at = rng.int(0, g.length - 1);
        return g.slice(0, at) + rng.pick(TRICKY) + g.slice(at + 1);
      }
      if (r < 0.4) return `{${g}}`;
      if (r < 0.5) return ` ${g}`;
      return g;
    });
    const ok = await accepted('guid', guids, (v) => `upper(${v})`);
    const wrong = guids.filter((g, i) => ok[i] && TO_STORED_FORM.guid(g) !== g.toUpperCase());
    expect(wrong).toEqual([]);
    expect(ok.filter(Boolean).length).toBeGreaterThan(800);
    // Every valid GUID without braces or spaces, in any case, is accepted.
    const plain = guids.filter((g) => /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/.test(g));
    expect((await accepted('guid', plain, (v) => `upper(${v})`)).every(Boolean)).toBe(true);
  });

  it('lowercase: refuses upper case, white space at either end, and anything outside ASCII', async () => {
    expect(
      await accepted('lowercase', ['o365', 'reseller', 'a b', 'O365', ' a', 'a ', 'a\t', 'é', '']),
    ).toEqual([true, true, true, false, false, false, false, false, false]);
  });
});
