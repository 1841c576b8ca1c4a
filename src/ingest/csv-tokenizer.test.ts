import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, fieldText, STOPPED } from './csv-tokenizer.ts';

interface Token {
  line: number;
  fields?: string[];
  error?: string;
}

/**
 * Tokenizes `parts` (UTF-8 byte strings) as successive reads, keeping unconsumed rests at the
 * front of the buffer like the file reader does.
 */
function tokenize(parts: Buffer[]): Token[] {
  const out: Token[] = [];
  const t = new CsvTokenizer();
  const handler = {
    record: (buf: Buffer, tok: CsvTokenizer, count: number, line: number) => {
      out.push({ line, fields: Array.from({ length: count }, (_, i) => fieldText(buf, tok, i)) });
      return true;
    },
    error: (line: number, error: string) => {
      out.push({ line, error });
      return true;
    },
  };
  let rest = Buffer.alloc(0);
  parts.forEach((part, i) => {
    const buf = Buffer.concat([rest, part]);
    const consumed = t.tokenize(buf, 0, buf.length, i === parts.length - 1, handler);
    rest = consumed === STOPPED ? Buffer.alloc(0) : buf.subarray(consumed);
  });
  return out;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('CsvTokenizer', () => {
  it('splits RFC 4180 records and reports the physical start line', () => {
    expect(tokenize([bytes('a,b\r\n"x,""y""\r\nz",\n\nlast,"q"')])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x,"y"\r\nz', ''] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['last', 'q'] },
    ]);
  });

  it('reports an unterminated quote and text after a closing quote', () => {
    expect(tokenize([bytes('a\n"x"y,b\nc\n"open\n')])).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, error: 'unexpected character after a closing quote' },
      { line: 3, fields: ['c'] },
      { line: 4, error: 'unterminated quoted field' },
    ]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    expect(tokenize([bytes('5" disk,b\n')])).toEqual([{ line: 1, fields: ['5" disk', 'b'] }]);
  });

  it('gives the same tokens however the text is cut into chunks (property)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'é', ',', '"', '""', '\n', '\r\n', ' ', '株'), { maxLength: 40 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (s, cuts) => {
        // Cuts fall on byte offsets, so multi-byte characters are split across reads too.
        const all = bytes(s);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const parts = [...points, all.length].map((end, i) => all.subarray(i === 0 ? 0 : points[i - 1], end));
        expect(tokenize(parts)).toEqual(tokenize([all]));
      }),
      { numRuns: 500 },
    );
  });
});
