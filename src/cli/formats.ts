/** Row output for `query` and `export`: a terminal table, JSON, CSV or NDJSON. */
import type { WireRow } from './page-source.ts';

export const FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** RFC 4180: quote a field only when it holds a comma, quote, CR or LF. */
export function csvField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(fields: readonly string[], row: WireRow): string {
  return `${fields.map((f) => csvField(row[f])).join(',')}\n`;
}

/** A streaming writer: `begin` once, `rows` per page, `end` once. Only the current page is held. */
export interface RowWriter {
  begin(fields: readonly string[]): string;
  rows(rows: readonly WireRow[]): string;
  end(): string;
}

export function rowWriter(format: Exclude<Format, 'table'>): RowWriter {
  let fields: readonly string[] = [];
  let first = true;
  switch (format) {
    case 'csv':
      return {
        begin: (f) => {
          fields = f;
          return `${f.map(csvField).join(',')}\n`;
        },
        rows: (rows) => rows.map((r) => csvLine(fields, r)).join(''),
        end: () => '',
      };
    case 'ndjson':
      return {
        begin: () => '',
        rows: (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
        end: () => '',
      };
    case 'json':
      return {
        begin: () => '[',
        rows: (rows) => {
          if (rows.length === 0) return '';
          const text = rows.map((r) => `\n  ${JSON.stringify(r)}`).join(',');
          const out = first ? text : `,${text}`;
          first = false;
          return out;
        },
        end: () => (first ? ']\n' : '\n]\n'),
      };
  }
}

/** A table sized to the terminal: every column gets its natural width until the line is full. */
export function renderTable(fields: readonly string[], rows: readonly WireRow[], width: number): string {
  const numeric = fields.map((f) => rows.length > 0 && rows.every((r) => typeof r[f] === 'number'));
  const cells = rows.map((r) => fields.map((f) => String(r[f] ?? '')));
  const natural = fields.map((f, i) => Math.max(f.length, ...cells.map((c) => displayWidth(c[i]!))));
  const widths = shrinkToFit(natural, width - 2 * (fields.length - 1));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const cut = truncate(v, widths[i]!);
        const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(cut)));
        return numeric[i] ? pad + cut : cut + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(fields), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** Shrinks the widest columns first until the total fits, never below 4 characters. */
function shrinkToFit(natural: readonly number[], budget: number): number[] {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 4) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** East Asian wide characters take two cells in a terminal. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}
