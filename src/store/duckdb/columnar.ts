import type { DuckDBResultReader } from '@duckdb/node-api';
import type { ColumnarResult } from '../store.ts';

type Cell = string | number | null;

/**
 * Reads a finished result column by column (never as row objects, which were measured an order of
 * magnitude slower for a 10,000-row page; see docs/architecture.md). BIGINT arrives as bigint and
 * becomes a number; compiled queries render dates as text, so any other type is a compiler bug.
 */
export function toColumnarResult(reader: DuckDBResultReader): ColumnarResult {
  const raw = reader.getColumnsObjectJS();
  const columns: Record<string, Cell[]> = {};
  for (const [name, values] of Object.entries(raw)) {
    const out = new Array<Cell>(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || typeof v === 'string' || typeof v === 'number') out[i] = v ?? null;
      else if (typeof v === 'bigint') out[i] = Number(v);
      else throw new TypeError(`column ${name}: unsupported result type ${typeof v}`);
    }
    columns[name] = out;
  }
  return { rowCount: reader.currentRowCount, columns };
}
