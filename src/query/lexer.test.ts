import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { clip, createLexer, tokenize } from './lexer.ts';

function brief(text: string): string[] {
  return tokenize(text).map((t) => `${t.kind}:${t.value}@${t.span.start}-${t.span.end}`);
}

function caught(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, nothing was thrown');
}

describe('tokenize', () => {
  it('splits words, parentheses and strings, keeping spans', () => {
    expect(brief("(serviceCode eq 'o365')")).toEqual([
      'lparen:(@0-1',
      'word:serviceCode@1-12',
      'word:eq@13-15',
      'string:o365@16-22',
      'rparen:)@22-23',
      'end:@23-23',
    ]);
  });

  it('collapses doubled quotes in the value but keeps the source text', () => {
    const [t] = tokenize("'O''Neil'''");
    expect(t).toMatchObject({
      kind: 'string',
      text: "'O''Neil'''",
      value: "O'Neil'",
      span: { start: 0, end: 11 },
    });
  });

  it('reads an empty literal and adjacent literals', () => {
    expect(brief("'''' ''")).toEqual(["string:'@0-4", 'string:@5-7', 'end:@7-7']);
  });

  it('treats spaces, tabs, newlines and carriage returns as separators', () => {
    expect(brief(" \tchannel\r\n\neq\t'x' ")).toEqual([
      'word:channel@2-9',
      'word:eq@12-14',
      'string:x@15-18',
      'end:@19-19',
    ]);
  });

  it('lexes words of letters, digits and underscores in any script', () => {
    // 'e' + U+0301 (a combining accent) is one word, not a word and a stray mark.
    expect(brief('a_1 株式 e\u0301')).toEqual([
      'word:a_1@0-3',
      'word:株式@4-6',
      'word:e\u0301@7-9',
      'end:@9-9',
    ]);
  });

  it('keeps any Unicode inside quotes', () => {
    expect(tokenize("'🚀 مرحبا\n株'")[0]?.value).toBe('🚀 مرحبا\n株');
  });

  it('reports an unterminated string at its opening quote', () => {
    const err = caught(() => tokenize("a 'b''c"));
    expect([err.kind, err.data]).toEqual(['invalidFilter', [{ position: 2, token: "'b''c" }]]);
  });

  it('reports an unexpected character at its position, naming invisible ones by code point', () => {
    expect(caught(() => tokenize('a > b')).data).toEqual([{ position: 2, token: '>' }]);
    expect(caught(() => tokenize('a\u200bb')).description).toMatch(
      /^Unexpected character U\+200B at position 1\./,
    );
    expect(caught(() => tokenize('ab😀')).data).toEqual([{ position: 2, token: '😀' }]);
  });

  it('is lazy: tokens before a bad character are delivered first', () => {
    const lexer = createLexer('a b ;');
    expect(lexer.next().text).toBe('a');
    expect(lexer.next().text).toBe('b');
    expect(() => lexer.next()).toThrow(ApiError);
  });

  it('keeps returning end at the end', () => {
    const lexer = createLexer('x');
    lexer.next();
    expect([lexer.next().kind, lexer.next().kind]).toEqual(['end', 'end']);
  });

  it('freezes tokens', () => {
    const [t] = tokenize('x');
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t?.span)).toBe(true);
  });
});

describe('clip', () => {
  it('leaves short text alone and clips long text to 40 code points plus an ellipsis', () => {
    expect(clip('short')).toBe('short');
    expect(clip('x'.repeat(40))).toBe('x'.repeat(40));
    expect(clip('x'.repeat(41))).toBe(`${'x'.repeat(40)}…`);
    expect(clip('😀'.repeat(30))).toBe('😀'.repeat(30));
    expect(clip('😀'.repeat(41))).toBe(`${'😀'.repeat(40)}…`);
  });
});
