/**
 * The filter AST rendered back to text: `printFilter` gives canonical filter syntax (what a
 * `@nextLink` or a log line can carry), `printTree` an unambiguous prefix form for golden tests.
 */
import { assertNever } from '../errors.ts';
import type { FilterExpr, LogicalOp } from './ast.ts';

/** A value as a filter literal: single quotes, an inner quote doubled. */
export function quoteValue(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Binding strength: a comparison binds tightest, then `and`, then `or` (docs/query-language.md). */
function precedence(expr: FilterExpr): number {
  switch (expr.kind) {
    case 'comparison':
      return 3;
    case 'logical':
      return logicalPrecedence(expr.op);
    default:
      return assertNever(expr);
  }
}

function logicalPrecedence(op: LogicalOp): number {
  switch (op) {
    case 'and':
      return 2;
    case 'or':
      return 1;
    default:
      return assertNever(op);
  }
}

/**
 * Canonical filter text: camelCase fields, lower-case keywords, re-quoted values, and parentheses
 * only where the tree differs from what precedence and left-associativity would build — so
 * `parseFilter(printFilter(ast))` gives back the same tree (spans aside).
 */
export function printFilter(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'comparison':
      return `${expr.field} ${expr.op} ${quoteValue(expr.value)}`;
    case 'logical': {
      const p = logicalPrecedence(expr.op);
      // Left-associative: a left operand of equal strength needs no parentheses, a right one does.
      const left = wrap(expr.left, precedence(expr.left) < p);
      const right = wrap(expr.right, precedence(expr.right) <= p);
      return `${left} ${expr.op} ${right}`;
    }
    default:
      return assertNever(expr);
  }
}

function wrap(expr: FilterExpr, parens: boolean): string {
  const text = printFilter(expr);
  return parens ? `(${text})` : text;
}

/** `(or (eq serviceCode 'o365') (and (ne channel 'direct') (eq customerName 'O''Neil')))` */
export function printTree(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'comparison':
      return `(${expr.op} ${expr.field} ${quoteValue(expr.value)})`;
    case 'logical':
      return `(${expr.op} ${printTree(expr.left)} ${printTree(expr.right)})`;
    default:
      return assertNever(expr);
  }
}
