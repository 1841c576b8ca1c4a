/**
 * JSON input files of the source readers: saved Graph and Partner Center responses. `JSON.parse`
 * does the work; the row-file scanner (json-scan.ts) is run only to place errors on a line.
 */
import { readFile } from 'node:fs/promises';
import { scanJsonRows } from '../json-scan.ts';

export type JsonParse = { ok: true; value: unknown } | { ok: false; line: number; reason: string };

/** Parses JSON text; Partner Center responses may begin with a UTF-8 byte-order mark. */
export function parseJson(text: string): JsonParse {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const scan = scanJsonRows(body);
    if (!scan.ok && scan.reason !== 'expected a JSON array of rows or an object with a "Value" array')
      return { ok: false, line: scan.line, reason: `invalid JSON: ${scan.reason}` };
    return {
      ok: false,
      line: 1,
      reason: `invalid JSON: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** A file's text, or the reason it cannot be read (reported on line 0, as the row reader does). */
export async function readText(
  path: string,
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (err) {
    return { ok: false, reason: `cannot read file: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The line each element of the top-level `value` (Graph) or `items` (Partner Center) array starts
 * on; [] when the text has no such array. The scanner knows only the `value` envelope, and
 * `"items"` has exactly as many characters as `"value"`, so renaming the key keeps every offset.
 */
export function elementLines(text: string, key: 'value' | 'items'): number[] | 'one-line' {
  // Responses saved as the API sent them are one line: nothing to locate, and the scan is skipped
  // (over 10,000 pretty-printed Graph files it took ~1.4 s against ~0.9 s for JSON.parse).
  const newline = text.indexOf('\n');
  if (newline < 0 || /^\s*$/.test(text.slice(newline))) return 'one-line';
  const body = key === 'items' ? text.replaceAll('"items"', '"value"') : text;
  const scan = scanJsonRows(body);
  return scan.ok ? scan.lines : [];
}

/** The line of element `index` from an `elementLines` result (1 when unknown). */
export function lineAt(lines: number[] | 'one-line', index: number): number {
  return lines === 'one-line' ? 1 : (lines[index] ?? 1);
}
