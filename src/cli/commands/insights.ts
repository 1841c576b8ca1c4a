/**
 * `seatwise shelfware` and `seatwise renewals`: the extension API's insights read from the store,
 * as tables (or JSON: the endpoint's body without paging), for a terminal or a script.
 */
import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { ApiError } from '../../errors.ts';
import { parseRenewalsQuery, parseShelfwareQuery, type RawParams } from '../../query/parse-query.ts';
import { InsightsService } from '../../service/insights-service.ts';
import { CliError } from '../cli-error.ts';
import { renderTable } from '../formats.ts';
import { partnerOption } from '../options.ts';
import { withStore } from '../with-store.ts';

interface CommonOptions {
  readonly date?: string;
  readonly filter?: string;
  readonly top?: string;
  readonly partner?: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly withinDays?: string;
}

/** The options as the endpoint's parameters, checked by the endpoint's own parser. */
function params(opts: CommonOptions, extra: Record<string, string | undefined> = {}): RawParams {
  const out: Record<string, string> = {};
  const all = { processedDateTime: opts.date, filter: opts.filter, top: opts.top, ...extra };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) out[k] = v;
  return out;
}

/** A parameter error reads as the endpoint's message, naming the option instead of the parameter. */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.description, 2);
    throw err;
  }
}

/** Money as text with its currency, two decimals: `438.75 EUR`. */
const money = (amount: number | undefined, currency: string | undefined): string =>
  amount === undefined || currency === undefined ? '' : `${amount.toFixed(2)} ${currency}`;

/**
 * Prints an insight: its JSON body (`--json`), or its items as a table followed by `summary`'s
 * lines, or that the partner has no snapshot.
 */
function print<I>(
  r: { readonly processedDate: string | null; readonly items: readonly I[] },
  opts: CommonOptions,
  partnerId: string,
  row: (item: I) => Record<string, string | number>,
  summary: () => string[],
): void {
  if (opts.json === true) {
    const { items, ...rest } = r;
    process.stdout.write(`${JSON.stringify({ ...rest, value: items }, null, 2)}\n`);
    return;
  }
  if (r.processedDate === null) {
    process.stdout.write(`no snapshots for partner ${partnerId}\n`);
    return;
  }
  const rows = r.items.map(row);
  if (rows.length > 0) {
    process.stdout.write(renderTable(Object.keys(rows[0]!), rows, process.stdout.columns ?? 160));
  }
  for (const line of summary()) process.stdout.write(`${line}\n`);
}

/** The options both commands take; the action reads them as CommonOptions. */
function withCommon(command: Command): Command {
  return command
    .option('--date <day>', 'the snapshot, YYYY-MM-DD (default: the latest)')
    .option('--filter <expr>', 'E5 filter expression, e.g. "customerName eq \'Contoso\'"')
    .option('--top <n>', 'at most this many items (default 10000)')
    .option('--partner <guid>', 'partner tenant id; default: the demo partner')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--json', "print the endpoint's JSON body instead of a table");
}

export function registerInsights(program: Command): void {
  withCommon(
    program
      .command('shelfware')
      .description('unassigned seats per customer and product with their monthly cost, most expensive first'),
  ).action(async (raw) => {
    const opts = raw as CommonOptions;
    const partnerId = partnerOption(opts.partner);
    const query = checked(() => parseShelfwareQuery(params(opts)));
    const r = await withStore(resolveDbPath(opts.db), (store) =>
      new InsightsService(store).shelfware(partnerId, query),
    );
    print(
      r,
      opts,
      partnerId,
      (i) => ({
        customer: i.customerName,
        product: i.productName,
        sold: i.licensesSold,
        assigned: i.licensesDeployed,
        unassigned: i.licensesUnassigned,
        monthlyUnitPrice: money(i.monthlyUnitPrice, i.currency),
        monthlyCost: money(i.monthlyCostUnassigned, i.currency),
      }),
      () => [
        `${r.totalCount} customer product(s) with unassigned seats, snapshot ${r.processedDate}`,
        ...r.totals.map(
          (t) =>
            `  ${money(t.monthlyCostUnassigned, t.currency)} a month on ${t.licensesUnassigned} seat(s) of ${t.items} product(s)`,
        ),
        ...(r.unpriced.items > 0
          ? [
              `  ${r.unpriced.licensesUnassigned} seat(s) of ${r.unpriced.items} product(s) without a price (seatwise import --format prices)`,
            ]
          : []),
      ],
    );
  });

  withCommon(
    program
      .command('renewals')
      .description(
        'subscriptions whose term ends within N days, with the unassigned seats that could be dropped',
      )
      .option('--within-days <n>', "days from the snapshot's date (default 30)"),
  ).action(async (raw) => {
    const opts = raw as CommonOptions;
    const partnerId = partnerOption(opts.partner);
    const query = checked(() => parseRenewalsQuery(params(opts, { withinDays: opts.withinDays })));
    const r = await withStore(resolveDbPath(opts.db), (store) =>
      new InsightsService(store).renewals(partnerId, query),
    );
    print(
      r,
      opts,
      partnerId,
      (i) => ({
        ends: i.commitmentEndDate,
        days: i.daysUntilEnd,
        customer: i.customerName,
        offer: i.offerName,
        quantity: i.quantity,
        autoRenew: i.autoRenewEnabled === null ? '' : i.autoRenewEnabled ? 'yes' : 'no',
        unassigned: i.licensesUnassigned ?? '',
        reducible: i.reducibleSeats,
        monthlyCost: money(i.monthlyCostReducible, i.currency),
      }),
      () => [
        `${r.totalCount} subscription(s) ending within ${r.withinDays} day(s) of the snapshot ${r.processedDate}`,
        ...r.totals.map(
          (t) =>
            `  ${t.reducibleSeats} reducible seat(s), ${money(t.monthlyCostReducible, t.currency)} a month`,
        ),
      ],
    );
  });
}
