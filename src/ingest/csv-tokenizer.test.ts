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

/**
 * The tokenizer's rules written as plainly as possible, one character at a time over the whole
 * text: the model the tokenizer's byte-level searches must agree with.
 */
function model(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < s.length) {
    const start = line;
    const fields: string[] = [];
    let newlines = 0;
    let ok = true;
    for (;;) {
      if (s[i] === '"') {
        let value = '';
        let j = i + 1;
        for (;;) {
          if (j >= s.length) {
            out.push({ line: start, error: 'unterminated quoted field' });
            return out;
          }
          if (s[j] === '"') {
            if (s[j + 1] !== '"') break;
            value += '"';
            j += 2;
            continue;
          }
          if (s[j] === '\n') newlines++;
          value += s[j++];
        }
        fields.push(value);
        i = j + 1;
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (i >= s.length || s[i] === '\n') i++;
        else if (s[i] === '\r' && s[i + 1] === '\n') i += 2;
        else {
          out.push({ line: start, error: 'unexpected character after a closing quote' });
          const next = s.indexOf('\n', i);
          i = next < 0 ? s.length : next + 1;
          ok = false;
        }
        break;
      }
      let end = i;
      while (end < s.length && s[end] !== ',' && s[end] !== '\n') end++;
      if (s[end] === ',') {
        fields.push(s.slice(i, end));
        i = end + 1;
        continue;
      }
      fields.push(s.slice(i, end > i && s[end - 1] === '\r' ? end - 1 : end));
      i = end + 1;
      break;
    }
    line += 1 + newlines;
    if (ok) out.push({ line: start, fields });
  }
  return out;
}

/** Text made of the characters that matter to the tokenizer, and a few that do not. */
const csvText = fc
  .array(fc.constantFrom('a', 'é', ',', '"', '""', '\n', '\r\n', '\r', ' ', '株'), { maxLength: 40 })
  .map((parts) => parts.join(''));

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

  it('follows the plain model of its rules (property)', () => {
    fc.assert(
      fc.property(csvText, (s) => {
        expect(tokenize([bytes(s)])).toEqual(model(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same tokens however the text is cut into chunks (property)', () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 4 }), (s, cuts) => {
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
