import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError, type ErrorName } from '../errors.ts';
import type { FilterExpr } from './ast.ts';
import { MAX_FILTER_LENGTH, MAX_NESTING_DEPTH, parseFilter } from './parser.ts';
import { printTree } from './print.ts';

function caught(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, nothing was thrown');
}

// Golden table: filter text → printed tree.
const TREES: ReadonlyArray<readonly [string, string]> = [
  // The docs' own examples.
  ["serviceCode eq 'O365'", "(eq serviceCode 'O365')"],
  [
    "serviceCode eq 'O365' or (channel eq 'Reseller')",
    "(or (eq serviceCode 'O365') (eq channel 'Reseller'))",
  ],
  // Every field, both operators.
  ["serviceName ne 'Office 365'", "(ne serviceName 'Office 365')"],
  [
    "customerTenantId eq '1b2c3d4e-0000-0000-0000-000000000000'",
    "(eq customerTenantId '1b2c3d4e-0000-0000-0000-000000000000')",
  ],
  ["productId ne 'x' and productName eq 'E5'", "(and (ne productId 'x') (eq productName 'E5'))"],
  // Precedence: and binds tighter than or, on either side.
  [
    "serviceCode eq 'x' or channel eq 'y' and customerName eq 'z'",
    "(or (eq serviceCode 'x') (and (eq channel 'y') (eq customerName 'z')))",
  ],
  [
    "serviceCode eq 'x' and channel eq 'y' or customerName eq 'z'",
    "(or (and (eq serviceCode 'x') (eq channel 'y')) (eq customerName 'z'))",
  ],
  // Parentheses override it.
  [
    "(serviceCode eq 'x' or channel eq 'y') and customerName eq 'z'",
    "(and (or (eq serviceCode 'x') (eq channel 'y')) (eq customerName 'z'))",
  ],
  [
    "serviceCode eq 'x' and (channel eq 'y' or customerName eq 'z')",
    "(and (eq serviceCode 'x') (or (eq channel 'y') (eq customerName 'z')))",
  ],
  // Left associativity.
  [
    "serviceCode eq 'a' or serviceCode eq 'b' or serviceCode eq 'c'",
    "(or (or (eq serviceCode 'a') (eq serviceCode 'b')) (eq serviceCode 'c'))",
  ],
  [
    "channel ne 'a' and channel ne 'b' and channel ne 'c'",
    "(and (and (ne channel 'a') (ne channel 'b')) (ne channel 'c'))",
  ],
  [
    "serviceCode eq 'a' or (serviceCode eq 'b' or serviceCode eq 'c')",
    "(or (eq serviceCode 'a') (or (eq serviceCode 'b') (eq serviceCode 'c')))",
  ],
  // Redundant parentheses vanish.
  ["((((serviceCode eq 'x'))))", "(eq serviceCode 'x')"],
  // Case-insensitive keywords and fields; the tree holds camelCase names.
  ["SERVICECODE EQ 'x' AND Channel Ne 'y'", "(and (eq serviceCode 'x') (ne channel 'y'))"],
  ["customertenantid eQ 'A' oR PRODUCTNAME nE 'b'", "(or (eq customerTenantId 'A') (ne productName 'b'))"],
  // Doubled quotes, empty values, values that look like syntax.
  ["customerName eq 'O''Neil'", "(eq customerName 'O''Neil')"],
  ["customerName eq ''''", "(eq customerName '''')"],
  ["customerName eq ''", "(eq customerName '')"],
  ["customerName eq ''' or 1=1 --'", "(eq customerName ''' or 1=1 --')"],
  ["customerName eq 'a and b eq (c)'", "(eq customerName 'a and b eq (c)')"],
  // Unicode values.
  ["customerName eq '株式会社テスト'", "(eq customerName '株式会社テスト')"],
  ["customerName eq 'شركة الاختبار'", "(eq customerName 'شركة الاختبار')"],
  ["customerName eq '🚀 Rocket 👩‍💻'", "(eq customerName '🚀 Rocket 👩‍💻')"],
  // Whitespace is free: none, or newlines, tabs and carriage returns.
  ["serviceCode eq'x'or(channel eq'y')", "(or (eq serviceCode 'x') (eq channel 'y'))"],
  ["\n\tserviceCode\teq\r\n'x'\n\tand\n channel ne 'y'  ", "(and (eq serviceCode 'x') (ne channel 'y'))"],
  ["customerName eq 'line\nbreak'", "(eq customerName 'line\nbreak')"],
];

interface ErrorCase {
  readonly input: string;
  readonly kind: ErrorName;
  readonly position: number;
  readonly token: string;
  readonly description: string;
}

// Golden table: filter text → error kind, position, token and exact description.
const ERRORS: readonly ErrorCase[] = [
  {
    input: "serviceCode gt 'o365'",
    kind: 'invalidFilter',
    position: 12,
    token: 'gt',
    description: "Unknown operator 'gt' at position 12: expected eq or ne.",
  },
  {
    input: "serviceCode = 'o365'",
    kind: 'invalidFilter',
    position: 12,
    token: '=',
    description:
      "Unexpected character '=' at position 12. A filter is made of field names, eq/ne, quoted values, and/or and parentheses.",
  },
  {
    input: "serviceCode 'o365'",
    kind: 'invalidFilter',
    position: 12,
    token: "'o365'",
    description:
      "Missing operator at position 12: expected eq or ne after 'serviceCode', found the value 'o365'.",
  },
  {
    input: 'serviceCode',
    kind: 'invalidFilter',
    position: 11,
    token: '',
    description:
      "Missing operator at position 11: expected eq or ne after 'serviceCode', found the end of the filter.",
  },
  {
    input: 'serviceCode eq o365',
    kind: 'invalidFilter',
    position: 15,
    token: 'o365',
    description: "Unquoted value 'o365' at position 15: values must be in single quotes.",
  },
  {
    input: 'customerName eq 株式会社',
    kind: 'invalidFilter',
    position: 16,
    token: '株式会社',
    description: "Unquoted value '株式会社' at position 16: values must be in single quotes.",
  },
  {
    input: 'serviceCode eq "o365"',
    kind: 'invalidFilter',
    position: 15,
    token: '"',
    description:
      "Unexpected character '\"' at position 15. Values are written in single quotes, e.g. serviceCode eq 'o365'.",
  },
  {
    input: "serviceCode eq 'o365",
    kind: 'invalidFilter',
    position: 15,
    token: "'o365",
    description: 'Unterminated value at position 15: the quoted value starting there has no closing quote.',
  },
  {
    input: "customerName eq 'O''Neil",
    kind: 'invalidFilter',
    position: 16,
    token: "'O''Neil",
    description: 'Unterminated value at position 16: the quoted value starting there has no closing quote.',
  },
  {
    input: 'serviceCode eq',
    kind: 'invalidFilter',
    position: 14,
    token: '',
    description:
      "Missing value at position 14: expected a quoted value after 'eq', found the end of the filter.",
  },
  {
    input: "(serviceCode ne)  or channel eq 'x'",
    kind: 'invalidFilter',
    position: 15,
    token: ')',
    description: "Missing value at position 15: expected a quoted value after 'ne', found ')'.",
  },
  {
    input: "(serviceCode eq 'o365'",
    kind: 'invalidFilter',
    position: 22,
    token: '',
    description: "Missing ')' at position 22: the '(' at position 0 is not closed.",
  },
  {
    input: "((serviceCode eq 'o365')",
    kind: 'invalidFilter',
    position: 24,
    token: '',
    description: "Missing ')' at position 24: the '(' at position 0 is not closed.",
  },
  {
    input: "serviceCode eq 'o365')",
    kind: 'invalidFilter',
    position: 21,
    token: ')',
    description: "Unexpected ')' at position 21: there is no '(' for it to close.",
  },
  {
    input: ") serviceCode eq 'o365'",
    kind: 'invalidFilter',
    position: 0,
    token: ')',
    description: "Unexpected ')' at position 0: expected a comparison.",
  },
  {
    input: '()',
    kind: 'invalidFilter',
    position: 1,
    token: ')',
    description: 'Empty parentheses at position 1: expected a comparison inside.',
  },
  {
    input: "(serviceCode eq 'x' channel eq 'y')",
    kind: 'invalidFilter',
    position: 20,
    token: 'channel',
    description: "Unexpected 'channel' at position 20: expected 'and', 'or' or ')'.",
  },
  {
    input: "serviceCode eq 'o365' and",
    kind: 'invalidFilter',
    position: 25,
    token: '',
    description: "Dangling 'and': expected a comparison at position 25, found the end of the filter.",
  },
  {
    input: "serviceCode eq 'o365' OR  ",
    kind: 'invalidFilter',
    position: 26,
    token: '',
    description: "Dangling 'or': expected a comparison at position 26, found the end of the filter.",
  },
  {
    input: "serviceCode eq 'a' and or channel eq 'b'",
    kind: 'invalidFilter',
    position: 23,
    token: 'or',
    description: "Unexpected 'or' at position 23: expected a comparison.",
  },
  {
    input: "and serviceCode eq 'a'",
    kind: 'invalidFilter',
    position: 0,
    token: 'and',
    description: "Unexpected 'and' at position 0: expected a comparison.",
  },
  {
    input: "eq 'a'",
    kind: 'invalidFilter',
    position: 0,
    token: 'eq',
    description: "Missing field name at position 0: expected a field before 'eq'.",
  },
  {
    input: "'a' eq serviceCode",
    kind: 'invalidFilter',
    position: 0,
    token: "'a'",
    description: "Unexpected value 'a' at position 0: expected a field name such as serviceCode.",
  },
  {
    input: '(',
    kind: 'invalidFilter',
    position: 1,
    token: '',
    description: 'Expected a comparison at position 1, found the end of the filter.',
  },
  {
    input: '',
    kind: 'invalidFilter',
    position: 0,
    token: '',
    description: "Empty filter at position 0: expected a comparison such as serviceCode eq 'o365'.",
  },
  {
    input: ' \t\n ',
    kind: 'invalidFilter',
    position: 0,
    token: '',
    description: "Empty filter at position 0: expected a comparison such as serviceCode eq 'o365'.",
  },
  {
    input: "serviceCode eq 'o365' channel eq 'x'",
    kind: 'invalidFilter',
    position: 22,
    token: 'channel',
    description: "Unexpected 'channel' at position 22: expected 'and', 'or' or the end of the filter.",
  },
  {
    input: "serviceCode eq 'a' 'b'",
    kind: 'invalidFilter',
    position: 19,
    token: "'b'",
    description: "Unexpected value 'b' at position 19: expected 'and', 'or' or the end of the filter.",
  },
  {
    input: "serviceCode eq 'a' andchannel eq 'b'",
    kind: 'invalidFilter',
    position: 19,
    token: 'andchannel',
    description: "Unexpected 'andchannel' at position 19: expected 'and', 'or' or the end of the filter.",
  },
  {
    input: "serviceCode eq 'a'\u00a0and channel eq 'b'",
    kind: 'invalidFilter',
    position: 18,
    token: '\u00a0',
    description:
      'Unexpected character U+00A0 at position 18. A filter is made of field names, eq/ne, quoted values, and/or and parentheses.',
  },
  {
    input: "licensesSold eq '3'",
    kind: 'invalidProperty',
    position: 0,
    token: 'licensesSold',
    description:
      "Unknown field 'licensesSold' at position 0: expected one of serviceCode, serviceName, channel, customerTenantId, customerName, productId, productName.",
  },
  {
    input: "serviceCode eq 'a' or (colour ne 'b')",
    kind: 'invalidProperty',
    position: 23,
    token: 'colour',
    description:
      "Unknown field 'colour' at position 23: expected one of serviceCode, serviceName, channel, customerTenantId, customerName, productId, productName.",
  },
  // The leftmost problem wins: the operator error comes before the unterminated value.
  {
    input: "serviceCode gt 'o365",
    kind: 'invalidFilter',
    position: 12,
    token: 'gt',
    description: "Unknown operator 'gt' at position 12: expected eq or ne.",
  },
];

function stripSpans(expr: FilterExpr): unknown {
  switch (expr.kind) {
    case 'comparison':
      return { kind: expr.kind, field: expr.field, op: expr.op, value: expr.value };
    case 'logical':
      return { kind: expr.kind, op: expr.op, left: stripSpans(expr.left), right: stripSpans(expr.right) };
  }
}

describe('parseFilter: golden trees', () => {
  it.each(TREES)('%j', (input, tree) => {
    expect(printTree(parseFilter(input))).toBe(tree);
  });
});

describe('parseFilter: golden errors', () => {
  it.each(ERRORS)('$input', ({ input, kind, position, token, description }) => {
    const err = caught(() => parseFilter(input));
    expect({ kind: err.kind, status: err.status, description: err.description, data: err.data }).toEqual({
      kind,
      status: 400,
      description,
      data: [{ position, token }],
    });
    expect(err.code).toBe(kind === 'invalidProperty' ? 3000 : 800002);
    expect(err.description).toContain(`position ${position}`);
  });
});

describe('parseFilter: nodes', () => {
  it('gives every node a span over the text it came from, parentheses included', () => {
    const text = "(serviceCode eq 'a') or channel ne 'b'";
    const expr = parseFilter(text);
    expect(expr).toMatchObject({ kind: 'logical', span: { start: 0, end: text.length } });
    if (expr.kind !== 'logical') throw new Error('expected a logical node');
    expect(expr.left.span).toEqual({ start: 0, end: 20 });
    expect(text.slice(expr.right.span.start, expr.right.span.end)).toBe("channel ne 'b'");
  });

  it('freezes every node and span', () => {
    const expr = parseFilter("serviceCode eq 'a' and (channel ne 'b')");
    expect(Object.isFrozen(expr)).toBe(true);
    expect(Object.isFrozen(expr.span)).toBe(true);
    if (expr.kind !== 'logical') throw new Error('expected a logical node');
    expect(Object.isFrozen(expr.left)).toBe(true);
    expect(Object.isFrozen(expr.right)).toBe(true);
    expect(Object.isFrozen(expr.right.span)).toBe(true);
  });

  it('keeps values verbatim, doubled quotes collapsed', () => {
    expect(stripSpans(parseFilter("customerName eq ' O''Neil  Ltd '"))).toEqual({
      kind: 'comparison',
      field: 'customerName',
      op: 'eq',
      value: " O'Neil  Ltd ",
    });
  });
});

describe('parseFilter: limits', () => {
  const leaf = "serviceCode eq 'x'";

  it(`accepts ${MAX_NESTING_DEPTH} levels of parentheses`, () => {
    const text = '('.repeat(MAX_NESTING_DEPTH) + leaf + ')'.repeat(MAX_NESTING_DEPTH);
    expect(printTree(parseFilter(text))).toBe("(eq serviceCode 'x')");
  });

  it('rejects one level more, at the offending parenthesis', () => {
    const text = '('.repeat(MAX_NESTING_DEPTH + 1) + leaf + ')'.repeat(MAX_NESTING_DEPTH + 1);
    const err = caught(() => parseFilter(text));
    expect([err.kind, err.data]).toEqual(['invalidFilter', [{ position: MAX_NESTING_DEPTH, token: '(' }]]);
    expect(err.description).toBe(
      `The filter is nested too deeply at position ${MAX_NESTING_DEPTH}: at most ${MAX_NESTING_DEPTH} levels of parentheses are allowed.`,
    );
  });

  it('rejects a deep unclosed nest without overflowing the stack', () => {
    const err = caught(() => parseFilter('('.repeat(MAX_FILTER_LENGTH)));
    expect(err.kind).toBe('invalidFilter');
  });

  it(`accepts a filter of exactly ${MAX_FILTER_LENGTH} characters`, () => {
    const text = "customerName eq '" + 'x'.repeat(MAX_FILTER_LENGTH - 18) + "'";
    expect(text).toHaveLength(MAX_FILTER_LENGTH);
    expect(parseFilter(text).kind).toBe('comparison');
  });

  it('rejects a longer filter as invalid input naming the parameter', () => {
    const err = caught(() => parseFilter(' '.repeat(MAX_FILTER_LENGTH + 1)));
    expect([err.kind, err.status, err.code, err.description]).toEqual([
      'invalidInput',
      400,
      800002,
      `The parameter 'filter' is too long: ${MAX_FILTER_LENGTH + 1} characters, at most ${MAX_FILTER_LENGTH}.`,
    ]);
  });

  it('parses a long flat or-chain iteratively, left-deep', () => {
    const parts = Array.from({ length: 400 }, (_, i) => `channel eq '${i}'`);
    let expr = parseFilter(parts.join(' or '));
    let depth = 0;
    while (expr.kind === 'logical') {
      expect(expr.right.kind).toBe('comparison');
      expr = expr.left;
      depth++;
    }
    expect(depth).toBe(399);
  });
});

describe('parseFilter: user text in descriptions is clipped', () => {
  const long = 'z'.repeat(500);

  it.each([
    [`${long} eq 'a'`, 'invalidProperty'],
    [`serviceCode ${long} 'a'`, 'invalidFilter'],
    [`serviceCode eq ${long}`, 'invalidFilter'],
    [`serviceCode eq '${long}`, 'invalidFilter'],
    [`serviceCode eq 'a' ${long}`, 'invalidFilter'],
    [`serviceCode eq 'a' '${long}'`, 'invalidFilter'],
  ])('%#', (input, kind) => {
    const err = caught(() => parseFilter(input));
    expect(err.kind).toBe(kind);
    expect(err.description).not.toContain('z'.repeat(41));
    expect(JSON.stringify(err.data)).not.toContain('z'.repeat(41));
  });

  it('never splits a surrogate pair when clipping', () => {
    const err = caught(() => parseFilter(`customerName eq ${'😀'.repeat(50)}`));
    // Emoji are not letters, so this is an unexpected character; the token is one whole emoji.
    expect(err.data).toEqual([{ position: 16, token: '😀' }]);
    const err2 = caught(() => parseFilter(`customerName eq 'a${'😀'.repeat(50)}`));
    const token = (err2.data[0] as { token: string }).token;
    expect(token).toBe(`'a${'😀'.repeat(38)}…`);
    expect(token).not.toMatch(/\p{Cs}/u); // no lone surrogate
  });
});

describe('docs/query-language.md', () => {
  const doc = readFileSync(new URL('../../docs/query-language.md', import.meta.url), 'utf8');
  // Rows of the filter error table whose example is a literal filter: | problem | code | `filter` | `description` |
  const rows = [...doc.matchAll(/^\| [^|]+ \| (\d+) \| `([^`]+)` \| `([^`]+)` \|$/gm)].map(
    ([, code, input, description]) => ({ code: Number(code), input: input!, description: description! }),
  );

  it('lists the filter errors this parser gives', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const { code, input, description } of rows) {
      const err = caught(() => parseFilter(input));
      expect([err.code, err.description], input).toEqual([code, description]);
    }
  });
});
