import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { isIsoDay, todayUtc } from '../../domain/dates.ts';
import { readRowFiles } from '../../ingest/read-row-files.ts';
import {
  detectFormat,
  type RowFileError,
  readCatalogFile,
  readGraphFiles,
  readPartnerCenterDir,
  type SourceFormat,
  type SourceSummary,
} from '../../ingest/sources/index.ts';
import type { SnapshotLoad } from '../../store/store.ts';
import { applyCatalog, applyLoad, importRowsDirect } from '../apply-load.ts';
import { CliError } from '../cli-error.ts';
import { partnerOption } from '../options.ts';
import { progressReporter } from '../progress.ts';
import { mappingOptions } from '../source-options.ts';

const FORMATS = ['auto', 'rows', 'graph', 'partner-center', 'catalog'] as const;

/** What an import reports; row files exclude nothing. */
type ImportSummary = Omit<SourceSummary, 'excluded'> & Partial<Pick<SourceSummary, 'excluded'>>;

type ReadOutcome =
  | { ok: true; load: SnapshotLoad; summary: ImportSummary }
  | { ok: false; errors: RowFileError[]; truncated: boolean };

function reject(errors: readonly RowFileError[], truncated: boolean): never {
  for (const e of errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
  const more = truncated ? ' (more errors not shown)' : '';
  throw new CliError(`import rejected: ${errors.length} error(s)${more}; the store is unchanged`);
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'load snapshots from files; each processed date present replaces that snapshot; all or nothing',
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
    .option('--db <path>', 'database file (default ./data/seatwise.duckdb or $SEATWISE_DB)')
    .action(async (files, opts) => {
      const db = resolveDbPath(opts.db);
      const partnerId = partnerOption(opts.partner);
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
      const started = performance.now();

      if (format === 'catalog') {
        const skus = [];
        for (const file of files) {
          const read = await readCatalogFile(file);
          if (!read.ok) reject(read.errors, false);
          skus.push(...read.skus);
        }
        const result = await applyCatalog(db, skus);
        process.stdout.write(
          `catalog: ${result.skus} SKUs stored; they name and classify products from now on\n`,
        );
        return;
      }

      const processedDate = opts.date ?? todayUtc();
      const source = `import ${format}`;
      let read: ReadOutcome;
      if (format === 'rows') {
        // Files that need no normalising load directly (docs/benchmarks.md); others, and any file
        // with an error, are read and validated here first.
        const loading = progressReporter('loading');
        const direct = await importRowsDirect(db, files, { partnerId, source, onProgress: loading.update });
        loading.stop();
        if (direct.loaded) {
          report(partnerId, direct.summary, direct.summary.dates, started, 'direct CSV load');
          return;
        }
        const progress = progressReporter('reading');
        read = await readRowFiles(files, { partnerId, onProgress: progress.update });
        progress.stop();
      } else {
        const options = await mappingOptions(db, opts, { partnerId, processedDate });
        if (format === 'graph') {
          read = await readGraphFiles(files, {
            ...options,
            ...(opts.customers ? { customersFile: opts.customers } : {}),
          });
        } else {
          if (files.length !== 1) throw new CliError('partner-center input is one directory', 2);
          read = await readPartnerCenterDir(files[0]!, options);
        }
        // The date is replaced even if every SKU was excluded: the snapshot then says "nothing deployed".
        if (read.ok) read = { ...read, load: { ...read.load, dates: [processedDate] } };
      }
      if (!read.ok) reject(read.errors, read.truncated);

      await applyLoad(db, [{ ...read.load, source }]);
      report(partnerId, read.summary, format === 'rows' ? read.summary.dates : [processedDate], started);
    });
}

function report(
  partnerId: string,
  s: ImportSummary,
  dates: readonly string[],
  started: number,
  how?: string,
): void {
  const seconds = (performance.now() - started) / 1000;
  let text =
    `imported ${s.rows} rows (${s.customers} customers, ${s.products} products) for partner ${partnerId}\n` +
    `snapshots replaced: ${dates.join(', ') || 'none'}\n`;
  for (const e of s.excluded ?? []) {
    text += `excluded ${e.count} SKU entries (${e.reason}), e.g. ${e.examples.join(', ')}\n`;
  }
  process.stdout.write(`${text}took ${seconds.toFixed(1)} s${how === undefined ? '' : ` (${how})`}\n`);
}
