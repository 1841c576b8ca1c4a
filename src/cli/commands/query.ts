import type { Command } from '@commander-js/extra-typings';
import { lookupDimension, ROW_FIELDS } from '../../domain/fields.ts';
import { CliError } from '../cli-error.ts';
import { FORMATS, type Format, renderTable, rowWriter } from '../formats.ts';
import { openPages, type SourceOptions, type WireRow } from '../page-source.ts';

/** The columns of a selection: the ten row fields, or the groupby fields (canonical names) and the sums. */
export function fieldsFor(groupby: string | undefined): string[] {
  if (groupby === undefined) return [...ROW_FIELDS];
  const dims = groupby.split(',').map((g) => lookupDimension(g.trim()) ?? g.trim());
  return [...new Set(dims), 'licensesDeployed', 'licensesSold'];
}

/** The selection options shared by `query` and `export`. */
export function withSelection<T extends Command<[], Record<string, unknown>>>(command: T) {
  return command
    .option('--url <url>', 'read from a Partner-Center-compatible API (with --token or $SEATWISE_TOKEN)')
    .option('--token <token>', 'bearer token for --url')
    .option(
      '--db <path|url>',
      'read a store instead: a DuckDB file or postgres:// URL (default $SEATWISE_DB)',
    )
    .option('--partner <guid>', 'partner tenant id for --db; default: the demo partner')
    .option('--filter <expr>', "filter, e.g. \"serviceCode eq 'o365' and channel ne 'direct'\"")
    .option('--groupby <a,b>', 'dimensions to aggregate by, e.g. serviceCode,channel')
    .option('--date <day>', 'snapshot day YYYY-MM-DD (default: the latest)');
}

export function sourceOptions(
  opts: Record<string, unknown>,
  extra: Partial<SourceOptions> = {},
): SourceOptions {
  const s = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  if (s('url') !== undefined && s('db') !== undefined)
    throw new CliError('use either --url or --db, not both', 2);
  return {
    url: s('url'),
    token: s('token'),
    db: s('db'),
    partner: s('partner'),
    filter: s('filter'),
    groupby: s('groupby'),
    date: s('date'),
    ...extra,
  };
}

export function registerQuery(program: Command): void {
  withSelection(
    program.command('query').description('query licenses deployment rows or groups, from a store or an API'),
  )
    .option('--top <n>', 'rows per page (max 10000)')
    .option('--skip <n>', 'rows to skip')
    .option('--all', 'follow every page')
    .option('--format <format>', `${FORMATS.join(', ')}`, 'table')
    .action(async (opts) => {
      const format = opts.format as Format;
      if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`, 2);
      const source = sourceOptions(opts, {
        top: typeof opts.top === 'string' ? opts.top : undefined,
        skip: typeof opts.skip === 'string' ? opts.skip : undefined,
      });
      const fields = fieldsFor(source.groupby);
      const out = process.stdout;
      if (format === 'table') {
        const rows: WireRow[] = [];
        let total = 0;
        for await (const page of openPages(source, opts.all === true)) {
          rows.push(...page.rows);
          total = page.totalCount;
        }
        out.write(renderTable(fields, rows, out.columns ?? 120));
        out.write(`${rows.length} of ${total} ${source.groupby === undefined ? 'rows' : 'groups'}\n`);
        return;
      }
      const writer = rowWriter(format);
      out.write(writer.begin(fields));
      for await (const page of openPages(source, opts.all === true)) out.write(writer.rows(page.rows));
      out.write(writer.end());
    });
}
