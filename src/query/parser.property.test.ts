import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { MAX_FILTER_LENGTH, MAX_NESTING_DEPTH, parseFilter } from './parser.ts';
import { printFilter } from './print.ts';

/**
 * The parser's total contract: any text either parses or fails with a 400 ApiError — never a
 * TypeError, a RangeError (stack overflow) or anything else that would surface as a 500.
 */
function parsesOrRejects(text: string): void {
  let expr: ReturnType<typeof parseFilter>;
  try {
    expr = parseFilter(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.status).toBe(400);
    expect(['invalidFilter', 'invalidProperty', 'invalidInput']).toContain(err.kind);
    if (err.kind !== 'invalidInput') {
      const [datum] = err.data as [{ position: number; token: string }];
      expect(datum.position).toBeGreaterThanOrEqual(0);
      expect(datum.position).toBeLessThanOrEqual(text.length);
      expect(err.description).toContain(`at position ${datum.position}`);
    }
    return;
  }
  // Whatever parses prints to text that parses to the same canonical form.
  const printed = printFilter(expr);
  expect(printFilter(parseFilter(printed))).toBe(printed);
}

const ALPHABET = [
  'serviceCode',
  'CHANNEL',
  'customerName',
  'productid',
  'foo',
  'eq',
  'NE',
  'gt',
  'and',
  'AND',
  'or',
  'Or',
  '(',
  ')',
  "'",
  "''",
  "'x'",
  "'O''Neil'",
  "'株式'",
  'o365',
  '"',
  '-',
  '😀',
  ' ',
  '  ',
  '\n',
  '\t',
];

const tokenSoup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 120 }).map((parts) => parts.join(''));
const spacedSoup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 120 }).map((parts) => parts.join(' '));
const deepNest = fc
  .tuple(fc.nat(300), fc.nat(300), fc.constantFrom("serviceCode eq 'x'", '', "serviceCode eq 'x' or"))
  .map(([open, close, middle]) => '('.repeat(open) + middle + ')'.repeat(close));

describe('parseFilter never fails with anything but a 400 ApiError', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), parsesOrRejects), { numRuns: 1000 });
  });

  it('on arbitrary Unicode (astral planes included)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parsesOrRejects), { numRuns: 1000 });
  });

  it('on strings built from the language’s own tokens', () => {
    fc.assert(fc.property(fc.oneof(tokenSoup, spacedSoup), parsesOrRejects), { numRuns: 3000 });
  });

  it('on deep and unbalanced nesting', () => {
    fc.assert(fc.property(deepNest, parsesOrRejects), { numRuns: 300 });
  });

  it('on adversarial sizes', () => {
    for (const text of [
      '('.repeat(MAX_FILTER_LENGTH),
      ')'.repeat(MAX_FILTER_LENGTH),
      "'".repeat(MAX_FILTER_LENGTH),
      "'".repeat(MAX_FILTER_LENGTH - 1),
      'x'.repeat(MAX_FILTER_LENGTH),
      '('.repeat(MAX_FILTER_LENGTH + 1),
      `${'('.repeat(MAX_NESTING_DEPTH)}serviceCode eq 'x'${')'.repeat(MAX_NESTING_DEPTH)}`,
      Array.from({ length: 500 }, () => "channel eq''").join(' and '),
    ]) {
      parsesOrRejects(text);
    }
  });
});
