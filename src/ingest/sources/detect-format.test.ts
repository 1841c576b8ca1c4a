import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, TENANT } from '../../../test/fixtures/sources/expected.ts';
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
    expect(await detectFormat([FIXTURES.catalogWindows1252])).toBe('catalog');
  });

  it('takes a `String_ Id` catalog for a catalog, and a single subscribedSku for Graph', async () => {
    const catalog = join(dir, 'spaced.csv');
    await writeFile(
      catalog,
      '"Product_Display_Name","String_ Id","GUID"\r\nA,B,6fd2c87f-b296-42f0-b197-1e91e994b900\r\n',
    );
    const single = join(dir, 'one-sku.json');
    const body = { '@odata.context': 'x#subscribedSkus/$entity', skuId: 'a', prepaidUnits: { enabled: 1 } };
    await writeFile(single, JSON.stringify(body));
    expect(await detectFormat([catalog])).toBe('catalog');
    // The Graph reader then says what to pass instead (graph.test.ts).
    expect(await detectFormat([single])).toBe('graph');
  });

  it('refuses a part of a Partner Center directory, saying what to pass instead', async () => {
    const pc = FIXTURES.partnerCenterDir;
    const one = join(pc, 'subscribedskus', `${TENANT.tokyo.toLowerCase()}.json`);
    await expect(detectFormat([one])).rejects.toThrow(
      new Error(
        `${one} looks like one customer's Partner Center subscribedskus response; ` +
          'pass the directory that holds customers.json and subscribedskus/ instead',
      ),
    );
    await expect(detectFormat([join(pc, 'customers.json')])).rejects.toThrow(
      new Error(
        `${join(pc, 'customers.json')} looks like a Partner Center customers response (customers.json); ` +
          'pass the directory that holds customers.json and subscribedskus/ instead, or name it with ' +
          '--customers when importing Graph subscribedSkus files',
      ),
    );
    await expect(detectFormat([join(pc, 'subscribedskus')])).rejects.toThrow(
      new Error(
        `${join(pc, 'subscribedskus')} looks like the subscribedskus/ folder of a Partner Center ` +
          `directory; pass its parent directory ${pc} instead`,
      ),
    );
    // The same responses in a folder of another name, away from customers.json.
    const copy = join(dir, 'saved');
    await cp(join(pc, 'subscribedskus'), copy, { recursive: true });
    await expect(detectFormat([copy])).rejects.toThrow(
      new Error(
        `${copy} looks like the subscribedskus/ folder of a Partner Center directory; ` +
          'pass the directory that holds customers.json and subscribedskus/ instead',
      ),
    );
  });

  it('takes a folder of Graph responses named subscribedSkus for Graph', async () => {
    const graph = join(dir, 'subscribedSkus');
    await cp(FIXTURES.graphDir, graph, { recursive: true });
    expect(await detectFormat([graph])).toBe('graph');
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
