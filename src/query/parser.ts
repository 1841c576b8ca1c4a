/**
 * Stage 2 of the filter pipeline: tokens → frozen AST (src/query/ast.ts). Recursive descent over
 * this grammar (also in docs/query-language.md):
 *
 *   expr       := orExpr
 *   orExpr     := andExpr ( 'or' andExpr )*
 *   andExpr    := primary ( 'and' primary )*
 *   primary    := '(' expr ')' | comparison
 *   comparison := field ( 'eq' | 'ne' ) STRING
 *   field      := one of the seven dimensions (src/domain/fields.ts)
 *
 * `and` binds tighter than `or`, as in OData (Partner Center, "Get licenses deployment
 * information": filter); both are left-associative. Keywords and field names match
 * case-insensitively; the tree always holds the canonical camelCase field name.
 *
 * `and`/`or` chains are loops, not recursion, and parentheses are capped at MAX_NESTING_DEPTH, so
 * recursion depth is bounded whatever the input; MAX_FILTER_LENGTH bounds the work.
 */
import { DIMENSIONS, type Dimension, lookupDimension } from '../domain/fields.ts';
import { apiError, assertNever } from '../errors.ts';
import type { CompareOp, Comparison, FilterExpr, Logical, LogicalOp, Span } from './ast.ts';
import { clip, createLexer, filterError, type Lexer, type Token } from './lexer.ts';

export const MAX_NESTING_DEPTH = 64;
export const MAX_FILTER_LENGTH = 8192;

const FIELD_LIST = DIMENSIONS.join(', ');

/** ASCII-only lower-casing: Unicode folding would let e.g. the Kelvin sign spell a keyword's `k`. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function keyword(token: Token): string | undefined {
  return token.kind === 'word' ? asciiLower(token.text) : undefined;
}

function isLogical(token: Token, op: LogicalOp): boolean {
  return keyword(token) === op;
}

/** How an error description names a token: `'channel'`, `')'`, `value 'o365'`. */
function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of the filter';
    case 'string':
      return `value ${clip(token.text)}`;
    case 'word':
    case 'lparen':
    case 'rparen':
      return `'${clip(token.text)}'`;
    default:
      return assertNever(token.kind);
  }
}

/** The same, after "found": "found the value 'o365'", "found the end of the filter", "found ')'". */
function found(token: Token): string {
  return token.kind === 'end' || token.kind === 'string' ? `the ${describe(token)}` : describe(token);
}

function span(start: number, end: number): Span {
  return Object.freeze({ start, end });
}

function logical(op: LogicalOp, left: FilterExpr, right: FilterExpr): Logical {
  return Object.freeze({ kind: 'logical', op, left, right, span: span(left.span.start, right.span.end) });
}

/** Parses decoded filter text into a frozen AST, or throws a 400 ApiError naming the position. */
export function parseFilter(source: string): FilterExpr {
  if (source.length > MAX_FILTER_LENGTH) {
    throw apiError(
      'invalidInput',
      `The parameter 'filter' is too long: ${source.length} characters, at most ${MAX_FILTER_LENGTH}.`,
      [{ parameter: 'filter', length: source.length }],
    );
  }
  return new Parser(source).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private current: Token;
  /** The token consumed last, for messages such as "dangling 'and'". */
  private previous: Token | undefined;

  constructor(source: string) {
    this.lexer = createLexer(source);
    this.current = this.lexer.next();
  }

  parse(): FilterExpr {
    const expr = this.parseOr(0);
    const t = this.current;
    if (t.kind === 'end') return expr;
    if (t.kind === 'rparen') {
      throw filterError(
        t.span.start,
        t.text,
        `Unexpected ')' at position ${t.span.start}: there is no '(' for it to close.`,
      );
    }
    throw filterError(
      t.span.start,
      t.text,
      `Unexpected ${describe(t)} at position ${t.span.start}: expected 'and', 'or' or the end of the filter.`,
    );
  }

  private advance(): Token {
    const t = this.current;
    this.previous = t;
    this.current = this.lexer.next();
    return t;
  }

  private parseOr(depth: number): FilterExpr {
    let left = this.parseAnd(depth);
    while (isLogical(this.current, 'or')) {
      this.advance();
      left = logical('or', left, this.parseAnd(depth));
    }
    return left;
  }

  private parseAnd(depth: number): FilterExpr {
    let left = this.parsePrimary(depth);
    while (isLogical(this.current, 'and')) {
      this.advance();
      left = logical('and', left, this.parsePrimary(depth));
    }
    return left;
  }

  private parsePrimary(depth: number): FilterExpr {
    const t = this.current;
    const at = t.span.start;
    switch (t.kind) {
      case 'lparen':
        return this.parseGroup(depth);
      case 'word':
        return this.parseComparison();
      case 'string':
        throw filterError(
          at,
          t.text,
          `Unexpected ${describe(t)} at position ${at}: expected a field name such as serviceCode.`,
        );
      case 'rparen':
        throw this.previous?.kind === 'lparen'
          ? filterError(at, t.text, `Empty parentheses at position ${at}: expected a comparison inside.`)
          : filterError(at, t.text, `Unexpected ')' at position ${at}: expected a comparison.`);
      case 'end':
        throw this.missingComparison(at);
      default:
        return assertNever(t.kind);
    }
  }

  private missingComparison(at: number) {
    const prev = this.previous;
    if (prev === undefined) {
      // Nothing but whitespace: the whole filter is empty, so point at its start.
      return filterError(
        0,
        '',
        "Empty filter at position 0: expected a comparison such as serviceCode eq 'o365'.",
      );
    }
    const kw = keyword(prev);
    if (kw === 'and' || kw === 'or') {
      return filterError(
        at,
        '',
        `Dangling '${kw}': expected a comparison at position ${at}, found the end of the filter.`,
      );
    }
    return filterError(at, '', `Expected a comparison at position ${at}, found the end of the filter.`);
  }

  private parseGroup(depth: number): FilterExpr {
    const open = this.current;
    if (depth >= MAX_NESTING_DEPTH) {
      throw filterError(
        open.span.start,
        open.text,
        `The filter is nested too deeply at position ${open.span.start}: at most ${MAX_NESTING_DEPTH} levels of parentheses are allowed.`,
      );
    }
    this.advance();
    const inner = this.parseOr(depth + 1);
    const close = this.current;
    if (close.kind === 'end') {
      throw filterError(
        close.span.start,
        '',
        `Missing ')' at position ${close.span.start}: the '(' at position ${open.span.start} is not closed.`,
      );
    }
    if (close.kind !== 'rparen') {
      throw filterError(
        close.span.start,
        close.text,
        `Unexpected ${describe(close)} at position ${close.span.start}: expected 'and', 'or' or ')'.`,
      );
    }
    this.advance();
    // The node's span covers its parentheses, so it points at all the text it was parsed from.
    return Object.freeze({ ...inner, span: span(open.span.start, close.span.end) });
  }

  private parseComparison(): Comparison {
    const fieldToken = this.advance();
    const field = this.resolveField(fieldToken);
    const op = this.parseOperator(field);
    const valueToken = this.current;
    const at = valueToken.span.start;
    switch (valueToken.kind) {
      case 'string':
        this.advance();
        return Object.freeze({
          kind: 'comparison',
          field,
          op,
          value: valueToken.value,
          span: span(fieldToken.span.start, valueToken.span.end),
        });
      case 'word':
        throw filterError(
          at,
          valueToken.text,
          `Unquoted value '${clip(valueToken.text)}' at position ${at}: values must be in single quotes.`,
        );
      case 'lparen':
      case 'rparen':
      case 'end':
        throw filterError(
          at,
          valueToken.text,
          `Missing value at position ${at}: expected a quoted value after '${op}', found ${found(valueToken)}.`,
        );
      default:
        return assertNever(valueToken.kind);
    }
  }

  private resolveField(t: Token): Dimension {
    const at = t.span.start;
    const field = lookupDimension(t.text);
    if (field !== undefined) return field;
    const kw = keyword(t);
    if (kw === 'and' || kw === 'or') {
      throw filterError(at, t.text, `Unexpected '${kw}' at position ${at}: expected a comparison.`);
    }
    if (kw === 'eq' || kw === 'ne') {
      throw filterError(at, t.text, `Missing field name at position ${at}: expected a field before '${kw}'.`);
    }
    throw filterError(
      at,
      t.text,
      `Unknown field '${clip(t.text)}' at position ${at}: expected one of ${FIELD_LIST}.`,
      'invalidProperty',
    );
  }

  private parseOperator(field: Dimension): CompareOp {
    const t = this.current;
    const at = t.span.start;
    if (t.kind !== 'word') {
      throw filterError(
        at,
        t.text,
        `Missing operator at position ${at}: expected eq or ne after '${field}', found ${found(t)}.`,
      );
    }
    const op = asciiLower(t.text);
    if (op !== 'eq' && op !== 'ne') {
      throw filterError(
        at,
        t.text,
        `Unknown operator '${clip(t.text)}' at position ${at}: expected eq or ne.`,
      );
    }
    this.advance();
    return op;
  }
}
