import { open } from 'node:fs/promises';
import { type RowColumns, rowCount } from '../domain/row.ts';
import { ROW_FIELDS } from './row-fields.ts';

const NEEDS_QUOTES = /[",\r\n]/;
const ROWS_PER_WRITE = 50_000;

/** One RFC 4180 field: quoted (quotes doubled) only when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes rows as the export format: RFC 4180 CSV, LF line ends, header of the ten E5 row fields
 * in canonical order, `processedDateTime` as `YYYY-MM-DDT00:00:00` (E5's own form) and GUIDs
 * upper-case. `readRowFiles` reads it back to the same columns.
 */
export async function writeRowsCsv(cols: RowColumns, path: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(`${ROW_FIELDS.join(',')}\n`);
    const n = rowCount(cols);
    for (let start = 0; start < n; start += ROWS_PER_WRITE) {
      const end = Math.min(n, start + ROWS_PER_WRITE);
      let text = '';
      for (let i = start; i < end; i++) {
        text +=
          `${cols.processedDate[i]}T00:00:00,${csvField(cols.serviceCode[i]!)},${csvField(cols.serviceName[i]!)},` +
          `${csvField(cols.channel[i]!)},${cols.customerTenantId[i]!.toUpperCase()},${csvField(cols.customerName[i]!)},` +
          `${cols.productId[i]!.toUpperCase()},${csvField(cols.productName[i]!)},${cols.licensesDeployed[i]},${cols.licensesSold[i]}\n`;
      }
      await handle.write(text);
    }
  } finally {
    await handle.close();
  }
}
