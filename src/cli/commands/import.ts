import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { isIsoDay, todayUtc } from '../../domain/dates.ts';
import { feedRowColumns, feedRowFiles } from '../../ingest/row-files.ts';
import {
  detectFormat,
  readCatalogFile,
  readGraphFiles,
  readPartnerCenterDir,
  type SourceFormat,
  type SourceReadResult,
} from '../../ingest/sources/index.ts';
import type { LoadRequest, Store } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';
import { loaded, rejectLoad } from '../load-errors.ts';
import { partnerOption } from '../options.ts';
import { mappingOptions } from '../source-options.ts';
import { withStore } from '../with-store.ts';
import { importPrices } from './prices.ts';

const FORMATS = ['auto', 'rows', 'graph', 'partner-center', 'catalog', 'prices'] as const;

interface ImportOptions {
  readonly format: string;
  readonly date?: string | undefined;
  readonly partner?: string | undefined;
  readonly customers?: string | undefined;
  readonly classify?: string | undefined;
  readonly exclude?: string | undefined;
  readonly channel?: string | undefined;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'load snapshots, the catalog or prices from files; each processed date present replaces that snapshot; all or nothing',
    )
    .argument('<files...>', 'files or directories to import')
    .option('--format <format>', `${FORMATS.join(', ')} (auto detects by content)`, 'auto')
    .option(
      '--date <day>',
      'processed date YYYY-MM-DD for graph and partner-center input (default today, UTC)',
    )
    .option('--partner <guid>', 'partner tenant id the rows belong to; default: the demo partner')
    .option('--customers <file>', 'graph: a Partner Center customers response naming the tenants')
    .option('--classify <file>', 'service classification table overriding the default (docs/data-sources.md)')
    .option('--exclude <file>', 'more free/trial SKUs to exclude, added to the defaults')
    .option('--channel <channel>', 'channel of graph and partner-center rows', 'reseller')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .action(async (files, opts) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new CliError(`--format must be one of ${FORMATS.join(', ')}`, 2);
      }
      let format: SourceFormat;
      try {
        format = opts.format === 'auto' ? await detectFormat(files) : (opts.format as SourceFormat);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err), 2);
      }
      if (opts.date !== undefined && !isIsoDay(opts.date))
        throw new CliError(`--date must be YYYY-MM-DD, got '${opts.date}'`, 2);
      if (opts.date !== undefined && (format === 'rows' || format === 'catalog')) {
        throw new CliError(
          `--date applies to graph and partner-center input; ${format} input carries its own`,
          2,
        );
      }
      if (opts.date !== undefined && format === 'prices') {
        throw new CliError('--date applies to graph and partner-center input; prices are not dated', 2);
      }
      const started = performance.now();
      const text = await withStore(resolveDbPath(opts.db), (store) =>
        format === 'catalog'
          ? importCatalog(store, files)
          : format === 'prices'
            ? importPrices(store, files, partnerOption(opts.partner))
            : importSnapshots(store, files, format, opts),
      );
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`${text}took ${seconds.toFixed(1)} s\n`);
    });
}

async function importCatalog(store: Store, files: readonly string[]): Promise<string> {
  const skus = [];
  let text = '';
  for (const file of files) {
    const read = await readCatalogFile(file);
    if (!read.ok) rejectLoad(read.errors, false);
    skus.push(...read.skus);
    const s = read.summary;
    text += `${file}: ${s.rows} rows read (${s.encoding}), ${s.skus} SKUs\n`;
    if (s.renamed.length > 0) {
      text += `  ${s.renamed.length} SKU(s) appear under more than one name; the first name read is kept:\n`;
      for (const r of s.renamed) {
        text += `    ${r.skuId} (${r.partNumber}): kept ${JSON.stringify(r.kept)}, not ${r.others.map((o) => JSON.stringify(o)).join(', ')}\n`;
      }
    }
  }
  const result = await store.upsertCatalog(skus);
  return `${text}catalog: ${result.skus} SKUs stored; they name and classify products from now on\n`;
}

async function importSnapshots(
  store: Store,
  files: readonly string[],
  format: Exclude<SourceFormat, 'catalog' | 'prices'>,
  opts: ImportOptions,
): Promise<string> {
  const partnerId = partnerOption(opts.partner);
  const source = `import ${format}`;
  if (format === 'rows') {
    const result = loaded(await store.load({ partnerId, source }, (sink) => feedRowFiles(files, sink)));
    return summary(partnerId, result);
  }
  const processedDate = opts.date ?? todayUtc();
  const options = await mappingOptions(store, opts, { partnerId, processedDate });
  let read: SourceReadResult;
  if (format === 'graph') {
    read = await readGraphFiles(files, {
      ...options,
      ...(opts.customers ? { customersFile: opts.customers } : {}),
    });
  } else {
    if (files.length !== 1) throw new CliError('partner-center input is one directory', 2);
    read = await readPartnerCenterDir(files[0]!, options);
  }
  if (!read.ok) rejectLoad(read.errors, read.truncated);
  const { load } = read;
  const request: LoadRequest = {
    partnerId,
    source,
    // The date is replaced even if every SKU was excluded: the snapshot then says "nothing deployed".
    dates: [processedDate],
    ...(load.missingCustomers === undefined ? {} : { missingCustomers: load.missingCustomers }),
    ...(load.subscriptions === undefined ? {} : { subscriptions: load.subscriptions }),
  };
  const result = loaded(
    await store.load(request, (sink) => feedRowColumns(load.rows, format, sink, load.origin)),
  );
  let text = summary(partnerId, result);
  for (const e of read.summary.excluded) {
    text += `excluded ${e.count} SKU entries (${e.reason}), e.g. ${e.examples.join(', ')}\n`;
  }
  const subs = read.summary.subscriptions;
  if (subs !== undefined) {
    const m = subs.byMatch;
    text +=
      `subscriptions: ${subs.subscriptions} of ${subs.customers} customer(s) stored; matched to a product ` +
      `exactly ${m.exact}, by name ${m.name}, by catalog ${m.catalog}, not matched ${m.none}\n`;
  }
  const missing = load.missingCustomers ?? [];
  if (missing.length > 0) {
    text += `partial: ${missing.length} customer(s) have no subscribedskus file: ${missing.join(', ')}\n`;
  }
  return text;
}

function summary(
  partnerId: string,
  r: { rows: number; customers: number; products: number; dates: readonly string[] },
): string {
  return (
    `imported ${r.rows} rows (${r.customers} customers, ${r.products} products) for partner ${partnerId}\n` +
    `snapshots replaced: ${r.dates.join(', ') || 'none'}\n`
  );
}
