import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/fixtures/sources/expected.ts';
import { detectFormat } from './detect-format.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-detect-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detectFormat', () => {
  it('recognises each fixture by content', async () => {
    expect(await detectFormat([FIXTURES.partnerCenterDir])).toBe('partner-center');
    expect(await detectFormat([FIXTURES.graphDir])).toBe('graph');
    expect(await detectFormat([join(FIXTURES.graphDir, '3D3D3D3D-4444-4444-8444-000000000004.json')])).toBe(
      'graph',
    );
    expect(await detectFormat([FIXTURES.catalog])).toBe('catalog');
  });

  it('takes row files for rows', async () => {
    const csv = join(dir, 'rows.csv');
    const json = join(dir, 'rows.json');
    await writeFile(csv, 'processedDateTime,serviceCode\n');
    await writeFile(json, '{"Value": [{"productId": "x"}]}');
    expect(await detectFormat([csv, json])).toBe('rows');
  });

  it('throws naming the path when inputs disagree or cannot be read', async () => {
    await expect(detectFormat([FIXTURES.graphDir, FIXTURES.catalog])).rejects.toThrow(FIXTURES.catalog);
    await expect(detectFormat([join(dir, 'missing')])).rejects.toThrow(join(dir, 'missing'));
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(detectFormat([empty])).rejects.toThrow(empty);
    await expect(detectFormat([])).rejects.toThrow('no input paths');
  });
});
