import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_CATALOG } from './errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

function catalogTable(): Map<string, { status: number; code: number; meaning: string }> {
  const section = doc.split('## Catalog')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, { status: number; code: number; meaning: string }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || cells[1] === 'name' || cells[1]?.startsWith('---')) continue;
    rows.set(cells[1]!, { status: Number(cells[2]), code: Number(cells[3]), meaning: cells[4]! });
  }
  return rows;
}

describe('error catalog', () => {
  it('docs/errors.md lists exactly the catalog, with the same status, code and meaning', () => {
    const table = catalogTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
    for (const [name, entry] of Object.entries(ERROR_CATALOG)) {
      expect(table.get(name), name).toEqual({
        status: entry.status,
        code: entry.code,
        meaning: entry.meaning,
      });
    }
  });

  it('an ApiError takes its status and code from the catalog', () => {
    const err = new ApiError('invalidCustomerId', { description: 'bad id', data: [{ customerId: 'x' }] });
    expect([err.status, err.code, err.description, err.data]).toEqual([
      400,
      900118,
      'bad id',
      [{ customerId: 'x' }],
    ]);
    expect(new ApiError('tokenMissing', { description: 'no' }).status).toBe(401);
  });
});
