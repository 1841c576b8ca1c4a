/**
 * The filter language's syntax tree (docs/query-language.md). Nodes are frozen tagged data; every
 * stage switches over `kind` exhaustively, so a new node kind fails to compile until each stage
 * handles it.
 */
import type { Dimension } from '../domain/fields.ts';

/** A zero-based character offset into the decoded filter text, with the token's length. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type CompareOp = 'eq' | 'ne';
export type LogicalOp = 'and' | 'or';

export interface Comparison {
  readonly kind: 'comparison';
  readonly field: Dimension;
  readonly op: CompareOp;
  /** The literal with doubled quotes already collapsed. */
  readonly value: string;
  readonly span: Span;
}

export interface Logical {
  readonly kind: 'logical';
  readonly op: LogicalOp;
  readonly left: FilterExpr;
  readonly right: FilterExpr;
  readonly span: Span;
}

export type FilterExpr = Comparison | Logical;
