/**
 * Renders a filter AST as a SQL boolean expression. Literals become bound parameters; column
 * names come only from the field catalog.
 */
import { DIMENSION_INFO } from '../domain/fields.ts';
import { normalizeGuid } from '../domain/guid.ts';
import { assertNever } from '../errors.ts';
import type { Comparison, FilterExpr } from '../query/ast.ts';
import type { SqlDialect } from './dialect.ts';
import type { ParamList } from './params.ts';

export function filterSql(expr: FilterExpr, dialect: SqlDialect, params: ParamList): string {
  switch (expr.kind) {
    case 'comparison':
      return comparisonSql(expr, dialect, params);
    case 'logical': {
      const op = expr.op === 'and' ? 'AND' : 'OR';
      return `(${filterSql(expr.left, dialect, params)} ${op} ${filterSql(expr.right, dialect, params)})`;
    }
    default:
      return assertNever(expr);
  }
}

/**
 * The value a GUID column is compared with. GUIDs are stored upper-case without braces, so the
 * literal is normalised the same way; comparing the bare column (not `lower(column)`) keeps the
 * comparison able to use the physical sort order and DuckDB's zone maps.
 */
export function guidLiteral(value: string): string {
  return normalizeGuid(value) ?? value.toUpperCase();
}

function comparisonSql(c: Comparison, dialect: SqlDialect, params: ParamList): string {
  const info = DIMENSION_INFO[c.field];
  const column = dialect.quoteIdent(info.column);
  const op = compareOperator(c.op);
  // Partner Center compares filter values case-insensitively ("Get licenses deployment
  // information" filters `serviceCode eq 'O365'` against data holding `o365`).
  if (info.guid) return `${column} ${op} ${params.add(guidLiteral(c.value))}`;
  return `${dialect.lowerText(column)} ${op} ${dialect.lowerText(params.add(c.value))}`;
}

function compareOperator(op: Comparison['op']): string {
  switch (op) {
    case 'eq':
      return '=';
    case 'ne':
      return '<>';
    default:
      return assertNever(op);
  }
}
