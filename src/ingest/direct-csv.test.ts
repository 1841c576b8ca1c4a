/**
 * The direct CSV load must never store anything the validating path would not: for every file it
 * either declines, leaving the store untouched, or stores exactly what `readRowFiles` followed by
 * `replaceSnapshots` stores. Each case runs both paths on two real DuckDB files that start out
 * identical and compares them; the cases cover the CSV corners where DuckDB's reader and ours
 * might differ, and generated files mix them at random.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dump } from '../../test/contract/contract-helpers.ts';
import {
  BB,
  csvLine,
  E3,
  HEADER,
  PARTNER,
  type ScratchDir,
  scratchDir,
  T1,
  T2,
} from '../../test/support/test-files.ts';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { Store } from '../store/store.ts';
import { type DirectImportOutcome, importRowCsvDirect } from './direct-csv.ts';
import { Rng } from './prng.ts';
import { readRowFiles } from './read-row-files.ts';

let tmp: ScratchDir;
let stores = 0;
beforeAll(async () => {
  tmp = await scratchDir();
});
afterAll(() => tmp.remove());

/** A snapshot both stores hold before each case: 2026-11-20 must be replaced, 2026-11-18 kept. */
const BASELINE = [HEADER, csvLine('2026-11-20', T2, BB, { name: 'Old' }), csvLine('2026-11-18', T2, BB)].join(
  '\n',
);

interface Comparison {
  readonly direct: DirectImportOutcome;
  /** Whether the validating path accepted the files. */
  readonly validated: boolean;
}

async function freshStore(): Promise<Store> {
  const store = await openDuckDbStore({ path: `${tmp.dir}/store-${stores++}.duckdb` });
  const base = await readRowFiles([await tmp.write(`base-${stores}.csv`, BASELINE)], { partnerId: PARTNER });
  if (!base.ok) throw new Error('baseline rejected');
  await store.replaceSnapshots([{ ...base.load, source: 'import rows' }]);
  return store;
}

/** Stored rows and snapshot entries, without the import time. */
async function contents(store: Store): Promise<unknown> {
  const { deployment, snapshots } = await dump(store);
  return { deployment, snapshots: snapshots.map(({ imported: _, ...rest }) => rest) };
}

/** Runs both paths on `files` and checks the rule of the module comment. */
async function compare(files: readonly string[]): Promise<Comparison> {
  const direct = await freshStore();
  const validating = await freshStore();
  try {
    const before = await contents(direct);
    const outcome = await importRowCsvDirect(direct, files, { partnerId: PARTNER, source: 'import rows' });
    const read = await readRowFiles(files, { partnerId: PARTNER });
    let validated = read.ok;
    if (read.ok) {
      try {
        await validating.replaceSnapshots([{ ...read.load, source: 'import rows' }]);
      } catch {
        validated = false;
      }
    }
    if (outcome.loaded) {
      expect(validated, 'loaded directly what the validating path refuses').toBe(true);
      expect(await contents(direct)).toEqual(await contents(validating));
      if (read.ok) expect(outcome.summary).toEqual({ ...read.summary });
    } else {
      expect(await contents(direct), 'a declined load changed the store').toEqual(before);
    }
    return { direct: outcome, validated };
  } finally {
    await direct.close();
    await validating.close();
  }
}

const line = csvLine;
const D = '2026-11-20';
const rows = (...lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`;
/**
 * 300 clean rows (distinct customers) to put before a line, so that it lies beyond the rows the
 * direct load samples before it starts and is found by the full check or in the stored rows.
 */
const CLEAN_PREFIX = Array.from({ length: 300 }, (_, i) =>
  line(D, `C0FFEE00-0000-4000-8000-${String(i).padStart(12, '0')}`, BB),
);

describe('direct CSV load: loads what needs no normalising, exactly as the validating path', () => {
  const direct: [string, () => Promise<string[]>][] = [
    ['plain LF', async () => [await tmp.write('lf.csv', rows(line(D, T1, E3), line(D, T2, E3)))]],
    [
      'CRLF and a byte-order mark',
      async () => [
        await tmp.write(
          'crlf.csv',
          `\ufeff${rows(line(D, T1, E3), line(D, T2, BB)).replaceAll('\n', '\r\n')}`,
        ),
      ],
    ],
    [
      'quoted names with commas, doubled quotes, line breaks and other scripts',
      async () => [
        await tmp.write(
          'quoted.csv',
          rows(
            line(D, T1, E3, { name: '"Smith, ""Jones"" & Co"' }),
            line(D, T2, E3, { name: '"two\nlines"' }),
            line(D, T2, BB, { name: '株式会社 😀 Ünïcödé' }),
          ),
        ),
      ],
    ],
    [
      'every field quoted, counts too',
      async () => [
        await tmp.write(
          'all-quoted.csv',
          `${HEADER}\n${line(D, T1, E3)
            .split(',')
            .map((v) => `"${v}"`)
            .join(',')}\n`,
        ),
      ],
    ],
    [
      'columns in another order, with an extra column',
      async () => [
        await tmp.write(
          'order.csv',
          `note,licensesSold,productName,productId,customerName,customerTenantId,channel,serviceName,serviceCode,licensesDeployed,processedDateTime\n` +
            `x,9,OFFICE 365 E3,${E3},Contoso,${T1},reseller,Microsoft Office 365,o365,4,${D}\n` +
            `"y, z",3,OFFICE 365 E3,${E3},Fabrikam,${T2},direct,Microsoft Office 365,o365,0,${D}\n`,
        ),
      ],
    ],
    [
      'lower-case GUIDs, a timestamp date and counts with leading zeros',
      async () => [
        await tmp.write(
          'lower.csv',
          rows(
            line(`${D}T00:00:00`, T1.toLowerCase(), E3.toLowerCase(), { sold: '007' }),
            line(`${D}T00:00:00`, T2.toLowerCase(), E3, { deployed: '0' }),
          ),
        ),
      ],
    ],
    [
      'two dates, the second only further down, replacing both snapshots',
      async () => [
        await tmp.write('two-days.csv', rows(line('2026-11-19', T1, E3), line(D, T1, E3), line(D, T2, BB))),
      ],
    ],
    [
      'two files with different column orders',
      async () => [
        await tmp.write('a.csv', rows(line(D, T1, E3))),
        await tmp.write(
          'b.csv',
          `licensesSold,licensesDeployed,productName,productId,customerName,customerTenantId,channel,serviceName,serviceCode,processedDateTime\n` +
            `5,1,OFFICE 365 E3,${E3},Fabrikam,${T2},reseller,Microsoft Office 365,o365,${D}\n`,
        ),
      ],
    ],
    [
      'empty lines between rows',
      async () => [await tmp.write('empty-lines.csv', rows(line(D, T1, E3), '', line(D, T2, E3), ''))],
    ],
    [
      'a NUL character inside a name',
      async () => [await tmp.write('nul.csv', rows(line(D, T1, E3, { name: 'a\0b' })))],
    ],
    [
      'an upper-case channel and service code',
      async () => [
        await tmp.write(
          'channel.csv',
          rows(line(D, T1, E3, { channel: 'Reseller' }).replace(',o365,', ',O365,')),
        ),
      ],
    ],
    [
      'an upper-case channel further down',
      async () => [
        await tmp.write('channel-late.csv', rows(...CLEAN_PREFIX, line(D, T2, E3, { channel: 'Reseller' }))),
      ],
    ],
    [
      'lower-case GUIDs further down',
      async () => [
        await tmp.write(
          'guid-late.csv',
          rows(...CLEAN_PREFIX, line(D, T2.toLowerCase(), E3.toLowerCase()), line(D, T1, E3)),
        ),
      ],
    ],
    [
      'another date and an upper-case channel, both further down',
      async () => [
        await tmp.write(
          'date-channel-late.csv',
          rows(...CLEAN_PREFIX, line('2026-11-19', T2, E3, { channel: 'Reseller' })),
        ),
      ],
    ],
    ['a header and no rows', async () => [await tmp.write('header-only.csv', `${HEADER}\n`)]],
    [
      'a plain CSV whose name ends in .gz (read as it is, never decompressed)',
      async () => [await tmp.write('rows.csv.gz', rows(line(D, T1, E3)))],
    ],
  ];
  for (const [name, files] of direct) {
    it(name, async () => {
      const { direct: outcome } = await compare(await files());
      expect(outcome).toMatchObject({ loaded: true });
    });
  }
});

describe('direct CSV load: declines what needs normalising, and the validating path loads it', () => {
  const declined: [string, () => Promise<string[]>][] = [
    [
      'the shuffled, BOM, CRLF, multi-line fixture (upper-case codes, padded names)',
      async () => ['test/fixtures/ingest/shuffled-bom-crlf.csv'],
    ],
    [
      'a capital dotted I in a channel (lower-cased differently by DuckDB)',
      async () => [
        await tmp.write('dotted-i.csv', rows(...CLEAN_PREFIX, line(D, T2, E3, { channel: 'D\u0130RECT' }))),
      ],
    ],
    [
      'a GUID in braces further down',
      async () => [await tmp.write('braces-late.csv', rows(...CLEAN_PREFIX, line(D, `{${T2}}`, E3)))],
    ],
    [
      'a name with spaces around it',
      async () => [await tmp.write('spaces.csv', rows(line(D, T1, E3, { name: ' Contoso ' })))],
    ],
    ['a GUID in braces', async () => [await tmp.write('braces.csv', rows(line(D, `{${T1}}`, E3)))]],
    [
      'a date-time whose UTC day is another day',
      async () => [await tmp.write('offset.csv', rows(line('2026-11-19T23:00:00-05:00', T1, E3)))],
    ],
    [
      'a count with a space before it',
      async () => [await tmp.write('count.csv', rows(line(D, T1, E3, { sold: ' 5' })))],
    ],
    [
      'spaces around a quoted value (DuckDB drops them, our reader keeps them)',
      async () => [
        await tmp.write('around.csv', rows(...CLEAN_PREFIX, line(D, T2, E3, { name: ' "Contoso" ' }))),
      ],
    ],
    [
      'a line of spaces between rows',
      async () => [await tmp.write('blank.csv', rows(line(D, T1, E3), '   ', line(D, T2, E3)))],
    ],
    [
      'a lone carriage return inside a name',
      async () => [await tmp.write('cr.csv', rows(line(D, T1, E3, { name: 'a\rb' })))],
    ],
    [
      'a blank line before the header',
      async () => [await tmp.write('late-header.csv', `\n${rows(line(D, T1, E3))}`)],
    ],
    ['a JSON file', async () => ['test/fixtures/ingest/rows.json']],
    [
      'a path DuckDB would take as a pattern',
      async () => {
        // `day[1].csv` as a pattern matches `day1.csv`, which holds other rows.
        await tmp.write('day1.csv', rows(line(D, T2, BB)));
        return [await tmp.write('day[1].csv', rows(line(D, T1, E3)))];
      },
    ],
  ];
  for (const [name, files] of declined) {
    it(name, async () => {
      const { direct: outcome, validated } = await compare(await files());
      expect(outcome).toMatchObject({ loaded: false });
      expect(validated).toBe(true);
    });
  }
});

describe('direct CSV load: declines what the validating path refuses, leaving the store as it was', () => {
  const refused: [string, () => Promise<string[]>][] = [
    ['a repeated key', async () => [await tmp.write('dup.csv', rows(line(D, T1, E3), line(D, T1, E3)))]],
    [
      'a repeated key across files',
      async () => [
        await tmp.write('dup-a.csv', rows(line(D, T1, E3))),
        await tmp.write('dup-b.csv', rows(line(D, T1, E3))),
      ],
    ],
    [
      'a trailing comma (DuckDB ignores it, our reader counts a field)',
      async () => [await tmp.write('comma.csv', rows(...CLEAN_PREFIX, `${line(D, T1, E3)},`))],
    ],
    ['an empty value', async () => [await tmp.write('empty.csv', rows(line(D, T1, E3, { name: '' })))]],
    [
      'a day that does not exist',
      async () => [await tmp.write('feb30.csv', rows(line('2026-02-30', T1, E3)))],
    ],
    [
      'a count over 2^31-1',
      async () => [await tmp.write('big.csv', rows(line(D, T1, E3, { sold: '2147483648' })))],
    ],
    [
      'an unterminated quote',
      async () => [await tmp.write('quote.csv', rows(line(D, T1, E3, { name: '"Contoso' })))],
    ],
    [
      'a missing field',
      async () => [await tmp.write('short.csv', rows(line(D, T1, E3).replace(',reseller', '')))],
    ],
    ['the bad-rows fixture', async () => ['test/fixtures/ingest/bad-rows.csv']],
    ['a file that does not exist', async () => [`${tmp.dir}/missing.csv`]],
  ];
  for (const [name, files] of refused) {
    it(name, async () => {
      const { direct: outcome, validated } = await compare(await files());
      expect(outcome).toMatchObject({ loaded: false });
      expect(validated).toBe(false);
    });
  }

  it('invalid UTF-8 is declined (DuckDB refuses it)', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${line(D, T1, E3, { name: 'a' })}`),
      Buffer.from([0xff]),
    ]);
    const { direct: outcome } = await compare([
      await tmp.write('utf8.csv', Buffer.concat([bytes, Buffer.from('\n')])),
    ]);
    expect(outcome).toMatchObject({ loaded: false });
  });
});

describe('direct CSV load: generated files', () => {
  /** Values that load directly; `DIRTY` ones need normalising or are errors. */
  const NAMES = ['Contoso', 'A, B', 'say "hi"', 'two\nlines', 'x\r\ny', '中文', 'İstanbul', 'ß', 'a\u3000b'];
  const DATES = [D, `${D}T00:00:00`, '2026-11-19', '2026-11-19T12:30:00Z'];
  const DIRTY: readonly (readonly [field: number, value: string])[] = [
    [3, 'Reseller'],
    [2, 'Microsoft Office 365 '],
    [3, 'D\u0130RECT'],
    [5, ' padded'],
    [5, 'tab\t'],
    [5, 'ideographic\u3000'],
    [9, ' 7'],
    [9, ''],
    [0, '2026-11-20T23:30:00-02:00'],
    [4, `{${T1}}`],
  ];
  const quote = (v: string, always: boolean) =>
    always || /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;

  function generatedFile(rng: Rng): string {
    const customers = [T1, T2, ...Array.from({ length: 18 }, () => rng.guid())];
    const crlf = rng.chance(0.3);
    const quoteAll = rng.chance(0.2);
    const dirty = rng.chance(0.5);
    // Half the files hide their rows behind clean ones the load does not sample.
    const lines = rng.chance(0.5) ? [HEADER, ...CLEAN_PREFIX] : [HEADER];
    const n = rng.int(1, 12);
    for (let i = 0; i < n; i++) {
      const tenant = rng.pick(customers);
      const fields = [
        rng.pick(DATES),
        'o365',
        'Microsoft Office 365',
        rng.pick(['reseller', 'direct']),
        rng.chance(0.8) ? tenant : tenant.toLowerCase(),
        rng.chance(0.6) ? 'Contoso' : rng.pick(NAMES),
        rng.pick([E3, BB]),
        'OFFICE 365 E3',
        String(rng.int(0, 50)),
        String(rng.int(0, 50)),
      ];
      if (dirty && rng.chance(0.4)) {
        const [field, value] = rng.pick(DIRTY);
        fields[field] = value;
      }
      lines.push(fields.map((v) => quote(v, quoteAll)).join(','));
      if (rng.chance(0.05)) lines.push('');
    }
    const text = `${lines.join(crlf ? '\r\n' : '\n')}${rng.chance(0.8) ? (crlf ? '\r\n' : '\n') : ''}`;
    return rng.chance(0.2) ? `\ufeff${text}` : text;
  }

  it('either load exactly as the validating path does or decline without a trace', async () => {
    const rng = new Rng(2026);
    const tally = { direct: 0, declined: 0, refused: 0 };
    for (let i = 0; i < 40; i++) {
      const file = await tmp.write(`generated-${i}.csv`, generatedFile(rng));
      const { direct: outcome, validated } = await compare([file]);
      if (outcome.loaded) tally.direct++;
      else if (validated) tally.declined++;
      else tally.refused++;
    }
    // Every kind of outcome occurred, so none of the checks above was vacuous.
    expect(tally.direct).toBeGreaterThan(5);
    expect(tally.declined).toBeGreaterThan(3);
    expect(tally.refused).toBeGreaterThan(1);
  });
});
