import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIMENSIONS } from '../domain/fields.ts';
import type { CompareOp, FilterExpr, LogicalOp } from './ast.ts';
import { parseFilter } from './parser.ts';
import { printFilter, printTree, quoteValue } from './print.ts';

const NO_SPAN = Object.freeze({ start: 0, end: 0 });

function stripSpans(expr: FilterExpr): unknown {
  switch (expr.kind) {
    case 'comparison':
      return { kind: expr.kind, field: expr.field, op: expr.op, value: expr.value };
    case 'logical':
      return { kind: expr.kind, op: expr.op, left: stripSpans(expr.left), right: stripSpans(expr.right) };
  }
}

const valueArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom("'", "''", "O'Neil", "' or 1=1 --", ') or (', '株式会社テスト', 'شركة', '👩‍💻', ''),
);

const comparisonArb: fc.Arbitrary<FilterExpr> = fc.record({
  kind: fc.constant('comparison' as const),
  field: fc.constantFrom(...DIMENSIONS),
  op: fc.constantFrom<CompareOp>('eq', 'ne'),
  value: valueArb,
  span: fc.constant(NO_SPAN),
});

const { expr: exprArb } = fc.letrec<{ expr: FilterExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonArb,
    fc.record({
      kind: fc.constant('logical' as const),
      op: fc.constantFrom<LogicalOp>('and', 'or'),
      left: tie('expr'),
      right: tie('expr'),
      span: fc.constant(NO_SPAN),
    }),
  ),
}));

describe('printFilter', () => {
  it.each([
    ["serviceCode eq 'O365' or (channel eq 'Reseller')", "serviceCode eq 'O365' or channel eq 'Reseller'"],
    ["SERVICECODE EQ 'x' AND Channel Ne 'y'", "serviceCode eq 'x' and channel ne 'y'"],
    ["customername eq 'y'", "customerName eq 'y'"],
    [
      "(serviceCode eq 'a' or serviceCode eq 'b') and channel eq 'c'",
      "(serviceCode eq 'a' or serviceCode eq 'b') and channel eq 'c'",
    ],
    [
      "serviceCode eq 'a' or (serviceCode eq 'b' or serviceCode eq 'c')",
      "serviceCode eq 'a' or (serviceCode eq 'b' or serviceCode eq 'c')",
    ],
    [
      "(serviceCode eq 'a' or serviceCode eq 'b') or serviceCode eq 'c'",
      "serviceCode eq 'a' or serviceCode eq 'b' or serviceCode eq 'c'",
    ],
    [
      "serviceCode eq 'a' and (channel eq 'b' and channel eq 'c')",
      "serviceCode eq 'a' and (channel eq 'b' and channel eq 'c')",
    ],
    [
      "serviceCode eq 'a' or (channel eq 'b' and channel eq 'c')",
      "serviceCode eq 'a' or channel eq 'b' and channel eq 'c'",
    ],
    ["customerName eq 'O''Neil'", "customerName eq 'O''Neil'"],
    ["\n customerName\teq   '株式会社テスト'  ", "customerName eq '株式会社テスト'"],
  ])('%j → %j', (input, canonical) => {
    expect(printFilter(parseFilter(input))).toBe(canonical);
  });

  it('quotes values, doubling inner quotes', () => {
    expect([quoteValue(''), quoteValue("'"), quoteValue("a'b''c")]).toEqual(["''", "''''", "'a''b''''c'"]);
  });

  it('round-trips any tree: parse(print(ast)) equals ast, spans aside', () => {
    fc.assert(
      fc.property(exprArb, (ast) => {
        expect(stripSpans(parseFilter(printFilter(ast)))).toEqual(stripSpans(ast));
      }),
      { numRuns: 500 },
    );
  });

  it('is a fixed point on its own output', () => {
    fc.assert(
      fc.property(exprArb, (ast) => {
        const once = printFilter(ast);
        expect(printFilter(parseFilter(once))).toBe(once);
      }),
      { numRuns: 200 },
    );
  });
});

describe('printTree', () => {
  it('renders the prefix form', () => {
    expect(
      printTree(parseFilter("serviceCode eq 'o365' or channel ne 'direct' and customerName eq 'O''Neil'")),
    ).toBe("(or (eq serviceCode 'o365') (and (ne channel 'direct') (eq customerName 'O''Neil')))");
  });
});
