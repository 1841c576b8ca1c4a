/**
 * Finds where each row object of a JSON row file starts, for error messages: `JSON.parse` gives
 * values but no positions (and V8's syntax errors no longer carry one). This scanner checks the
 * structure, reports the line of a syntax error, and records the line of every element of the
 * row array — the top-level array, or the array under the top-level `Value` key (any case).
 */

export type JsonScanResult =
  | { readonly ok: true; readonly envelopeKey: string | undefined; readonly lines: number[] }
  | { readonly ok: false; readonly line: number; readonly reason: string };

class ScanError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function scanJsonRows(text: string): JsonScanResult {
  const s = new Scanner(text);
  try {
    return { ok: true, ...s.scanTop() };
  } catch (err) {
    if (err instanceof ScanError) return { ok: false, line: lineAt(text, err.offset), reason: err.message };
    if (err instanceof RangeError) return { ok: false, line: 1, reason: 'JSON nested too deeply' };
    throw err;
  }
}

class Scanner {
  private pos = 0;
  private line = 1;
  /** Offset of the first newline not yet counted into `line` (-1: none left). */
  private nextNewline: number;
  /** Offset of the next newline at or after the string being scanned. */
  private nextBreak = -1;

  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf('\n');
  }

  scanTop(): { envelopeKey: string | undefined; lines: number[] } {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.ws();
    let result: { envelopeKey: string | undefined; lines: number[] };
    const c = this.text[this.pos];
    if (c === '[') result = { envelopeKey: undefined, lines: this.array(true) };
    else if (c === '{') result = this.envelope();
    else throw new ScanError(this.pos, 'expected a JSON array of rows or an object with a "Value" array');
    this.ws();
    if (this.pos < this.text.length) throw new ScanError(this.pos, 'unexpected text after the JSON value');
    return result;
  }

  private envelope(): { envelopeKey: string | undefined; lines: number[] } {
    let envelopeKey: string | undefined;
    let lines: number[] | undefined;
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') this.pos++;
    else {
      for (;;) {
        const keyStart = this.pos;
        if (this.text[this.pos] !== '"') throw new ScanError(this.pos, 'expected a property name');
        this.string();
        const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
        this.ws();
        this.expect(':');
        this.ws();
        if (lines === undefined && key.toLowerCase() === 'value' && this.text[this.pos] === '[') {
          envelopeKey = key;
          lines = this.array(true);
        } else this.value();
        if (this.separator('}')) break;
      }
    }
    if (lines === undefined)
      throw new ScanError(0, 'expected a JSON array of rows or an object with a "Value" array');
    return { envelopeKey, lines };
  }

  /** Scans an array; with `record`, returns the line each element starts on. */
  private array(record: boolean): number[] {
    const lines: number[] = [];
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return lines;
    }
    for (;;) {
      if (record) lines.push(this.lineOf(this.pos));
      this.value();
      if (this.separator(']')) return lines;
    }
  }

  private object(): void {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') throw new ScanError(this.pos, 'expected a property name');
      this.string();
      this.ws();
      this.expect(':');
      this.ws();
      this.value();
      if (this.separator('}')) return;
    }
  }

  /** After an element: `,` (returns false) or the closing bracket (returns true). */
  private separator(close: string): boolean {
    this.ws();
    const c = this.text[this.pos];
    if (c === close) {
      this.pos++;
      return true;
    }
    if (c !== ',')
      throw new ScanError(this.pos, c === undefined ? 'unexpected end of JSON' : `expected , or ${close}`);
    this.pos++;
    this.ws();
    return false;
  }

  private value(): void {
    const c = this.text[this.pos];
    if (c === '{') this.object();
    else if (c === '[') this.array(false);
    else if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else {
      NUMBER_RE.lastIndex = this.pos;
      if (!NUMBER_RE.test(this.text)) {
        throw new ScanError(
          this.pos,
          c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`,
        );
      }
      this.pos = NUMBER_RE.lastIndex;
    }
  }

  private string(): void {
    let q = this.pos + 1;
    for (;;) {
      const close = this.text.indexOf('"', q);
      if (close < 0) throw new ScanError(this.pos, 'unterminated string');
      let backslashes = 0;
      while (this.text.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
      q = close + 1;
      if (backslashes % 2 === 0) break;
    }
    // Cached so that a one-line (minified) file is not rescanned for every string.
    if (this.nextBreak < this.pos) {
      this.nextBreak = this.text.indexOf('\n', this.pos);
      if (this.nextBreak < 0) this.nextBreak = this.text.length;
    }
    if (this.nextBreak < q) throw new ScanError(this.nextBreak, 'line break inside a string');
    this.pos = q;
  }

  private literal(word: string): void {
    if (!this.text.startsWith(word, this.pos))
      throw new ScanError(this.pos, `unexpected character ${JSON.stringify(this.text[this.pos])}`);
    this.pos += word.length;
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw new ScanError(this.pos, `expected ${c}`);
    this.pos++;
  }

  private ws(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  /** Line of `offset`; offsets asked for only grow, so newlines are counted once overall. */
  private lineOf(offset: number): number {
    while (this.nextNewline >= 0 && this.nextNewline < offset) {
      this.line++;
      this.nextNewline = this.text.indexOf('\n', this.nextNewline + 1);
    }
    return this.line;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i >= 0 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}
