/**
 * Stage 1 of the filter pipeline: decoded filter text → tokens, each with its zero-based span
 * (docs/query-language.md). The lexer is pulled by the parser one token at a time rather than run
 * up front, so the error a caller sees is always the leftmost one, lexical or grammatical.
 */
import { ApiError, type ErrorName } from '../errors.ts';
import type { Span } from './ast.ts';

export type TokenKind = 'lparen' | 'rparen' | 'word' | 'string' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token: quotes included for strings, empty at the end. */
  readonly text: string;
  /** For strings the literal with doubled quotes collapsed; otherwise the same as `text`. */
  readonly value: string;
  readonly span: Span;
}

export interface Lexer {
  /** Consumes and returns the next token; at the end it keeps returning an `end` token. */
  next(): Token;
}

/** Most code points of caller input that a description or `data` token repeats. */
export const ECHO_LIMIT = 40;

/**
 * Caller input shortened for an error: at most ECHO_LIMIT code points, then an ellipsis. Counting
 * code points, not UTF-16 units, means a surrogate pair is never cut in half.
 */
export function clip(text: string): string {
  // Cheap exit first: the common case is a short token, and Array.from on 8 KiB is not free.
  if (text.length <= ECHO_LIMIT) return text;
  const points = Array.from(text);
  return points.length <= ECHO_LIMIT ? text : `${points.slice(0, ECHO_LIMIT).join('')}…`;
}

/**
 * A filter error with its position, in the shape docs/errors.md documents:
 * `data: [{ position, token }]`, the token clipped like any echoed input.
 */
export function filterError(
  position: number,
  token: string,
  description: string,
  kind: ErrorName = 'invalidFilter',
): ApiError {
  return new ApiError(kind, { description, data: [{ position, token: clip(token) }] });
}

// Words are letters, digits, combining marks and underscores in any script. No field or keyword
// needs more than ASCII, but accepting every letter lets an unquoted value such as `株式会社` be
// reported as "unquoted value" (which says what to do) instead of as a stray character.
const WORD_RE = /[\p{L}\p{N}\p{M}_]+/uy;
// Only ASCII layout whitespace separates tokens; a non-breaking or zero-width space pasted from a
// document is reported, since it usually means the text is not what the caller thinks it is.
const SPACE_RE = /[ \t\r\n]*/y;
const INVISIBLE_RE = /^[\p{C}\p{Z}]$/u;

const GENERAL_HINT = 'A filter is made of field names, eq/ne, quoted values, and/or and parentheses.';
const QUOTE_HINT = "Values are written in single quotes, e.g. serviceCode eq 'o365'.";

function token(kind: TokenKind, text: string, value: string, start: number): Token {
  return Object.freeze({ kind, text, value, span: Object.freeze({ start, end: start + text.length }) });
}

/** A lazy lexer over `source`. */
export function createLexer(source: string): Lexer {
  let pos = 0;

  function scanString(start: number): Token {
    let value = '';
    let from = start + 1;
    for (;;) {
      const quote = source.indexOf("'", from);
      if (quote < 0) {
        throw filterError(
          start,
          source.slice(start),
          `Unterminated value at position ${start}: the quoted value starting there has no closing quote.`,
        );
      }
      value += source.slice(from, quote);
      // A doubled quote is a quote inside the value, not its end.
      if (source[quote + 1] !== "'") {
        pos = quote + 1;
        return token('string', source.slice(start, pos), value, start);
      }
      value += "'";
      from = quote + 2;
    }
  }

  function next(): Token {
    SPACE_RE.lastIndex = pos;
    SPACE_RE.test(source);
    const start = SPACE_RE.lastIndex;
    pos = start;
    if (start >= source.length) return token('end', '', '', source.length);
    const c = source[start]!;
    if (c === '(' || c === ')') {
      pos = start + 1;
      return token(c === '(' ? 'lparen' : 'rparen', c, c, start);
    }
    if (c === "'") return scanString(start);
    WORD_RE.lastIndex = start;
    if (WORD_RE.test(source)) {
      pos = WORD_RE.lastIndex;
      const text = source.slice(start, pos);
      return token('word', text, text, start);
    }
    throw unexpectedCharacter(source, start);
  }

  return { next };
}

function unexpectedCharacter(source: string, at: number): ApiError {
  const ch = String.fromCodePoint(source.codePointAt(at)!);
  // Invisible characters (spaces other than ASCII, controls, format marks) are named by code point,
  // since quoting them would show nothing.
  const shown = INVISIBLE_RE.test(ch)
    ? `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    : `'${ch}'`;
  const hint = ch === '"' ? QUOTE_HINT : GENERAL_HINT;
  return filterError(at, ch, `Unexpected character ${shown} at position ${at}. ${hint}`);
}

/** Every token of `source`, ending with `end`. For tests and tools; the parser pulls lazily. */
export function tokenize(source: string): Token[] {
  const lexer = createLexer(source);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.kind === 'end') return out;
  }
}
