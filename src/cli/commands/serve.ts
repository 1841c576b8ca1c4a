import type { Command } from '@commander-js/extra-typings';
import { issueLocalToken } from '../../auth/local-issuer.ts';
import { type Config, ConfigError, displayDb, loadConfig } from '../../config.ts';
import { DEMO_PARTNER_ID } from '../../ingest/demo.ts';
import type { RunningServer, ServerCollection } from '../../main.ts';
import { openIssuerKey } from '../../open-store.ts';
import { VERSION } from '../../version.ts';
import { CliError } from '../cli-error.ts';
import { PARTNER_CENTER_API } from '../collect-run.ts';
import { openOwnStore } from '../open-store.ts';
import { type ServerAlerts, serverAlerts } from '../serve-alerts.ts';
import { serverCollection } from '../serve-collection.ts';
import { DEMO_DEFAULTS, loadDemo } from './demo.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the licenses-deployment API')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--key-file <path>', 'local issuer key file (default: beside a DuckDB file, inside PostgreSQL)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1 or $SEATWISE_HOST)')
    .option('--port <port>', 'port; 0 picks a free one (default 8080 or $SEATWISE_PORT)')
    .option('--demo', 'load the demo dataset first when the demo partner has no data yet')
    .option('--bom', 'prefix JSON bodies with a UTF-8 byte-order mark, as Partner Center does')
    .option('--log-level <level>', 'silent, error, warn, info or debug (default info)')
    .option('--issuer <url>', 'trusted token issuer; may contain {tid}; repeat with --jwks-uri', collect, [])
    .option('--jwks-uri <url>', 'JWKS of the --issuer in the same position', collect, [])
    .option('--audience <aud>', 'expected token audience (default https://api.partnercenter.microsoft.com)')
    .option('--local-issuer', 'also accept local-issuer tokens when external issuers are configured')
    .option('--no-local-issuer', 'refuse local-issuer tokens')
    .option(
      '--allowed-roles <r1,r2>',
      'roles, directory role ids or group ids allowed to read (default: any user)',
    )
    .option('--rate-limit <n/period>', 'requests per partner tenant, e.g. 600/1m (default: unlimited)')
    .option(
      '--redis-url <url>',
      'count --rate-limit in this Redis, shared by every server given it (default $SEATWISE_REDIS_URL)',
    )
    .option(
      '--drain <seconds>',
      'on SIGTERM/SIGINT keep answering this long, not ready and closing connections, before stopping (default 0)',
    )
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (behind a reverse proxy)')
    .option(
      '--cache-mb <mib>',
      'MiB of answers kept for repeated queries, 0 for none (default 64 or $SEATWISE_CACHE_MB)',
    )
    .option(
      '--collect-at <HH:MM>',
      'collect a snapshot from Partner Center every day at this time (see collect)',
    )
    .option('--collect-tz <zone>', 'time zone of --collect-at, e.g. Europe/Paris (default UTC)')
    .option('--collect-cron <pattern>', "instead of --collect-at: a cron pattern, e.g. '30 2 * * 1-5'")
    .option('--base-url <url>', 'collection: API root (/v1 is added)', PARTNER_CENTER_API)
    .option('--token-command <cmd>', 'collection: shell command printing a bearer token')
    .option('--token-env <var>', 'collection: environment variable holding a bearer token')
    .option(
      '--credentials <file>',
      'collection, no --token-*: the `seatwise login` file (default: beside --db)',
    )
    .option('--client-secret-env <var>', 'collection, stored sign-in: confidential app secret in VAR')
    .option('--client-certificate <pem>', 'collection, stored sign-in: confidential app certificate and key')
    .option('--concurrency <n>', 'collection: customers read at once', '8')
    .option('--allow-partial', 'collection: store the customers that could be read, record the others')
    .option('--save-raw <dir>', "collection: also save each run's responses in <dir>/<processed date>/")
    .option(
      '--partner <guid>',
      'collection: partner tenant id the snapshots belong to (default: the demo partner)',
    )
    .option(
      '--alerts <file>',
      'evaluate the alert rules of this JSON or YAML file after every new snapshot (docs/alerts.md)',
    )
    .action(async (opts) => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig({
          db: opts.db,
          host: opts.host,
          port: opts.port,
          byteOrderMark: opts.bom === true ? true : undefined,
          logLevel: opts.logLevel,
          issuers: opts.issuer.length > 0 ? opts.issuer : undefined,
          jwksUris: opts.jwksUri.length > 0 ? opts.jwksUri : undefined,
          audience: opts.audience,
          localIssuer: opts.localIssuer,
          allowedRoles: opts.allowedRoles,
          rateLimit: opts.rateLimit,
          redisUrl: opts.redisUrl,
          trustProxy: opts.trustProxy === true ? true : undefined,
          keyFile: opts.keyFile,
          drainSeconds: opts.drain,
          cacheMb: opts.cacheMb,
        });
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      // Checked, and a stored sign-in redeemed, before the store is opened and the port taken.
      const collection = await serverCollection(opts);
      // The alerts file is read and checked before the port is taken, too.
      const alerts = await serverAlerts(
        opts.alerts,
        collection?.partnerId ?? (opts.demo === true ? DEMO_PARTNER_ID : undefined),
      );
      // The server opens the file itself: it becomes the one owner, and commands go through it.
      const store = await openOwnStore(config.db);
      let server: RunningServer;
      try {
        if (opts.demo && (await store.latestSnapshot(DEMO_PARTNER_ID)) === null) {
          process.stdout.write(
            `${await loadDemo(store, { partnerId: DEMO_PARTNER_ID, ...DEMO_DEFAULTS })}\n`,
          );
        }
        // Loaded here, not at start-up: the other commands need neither the web server nor the verifier.
        const { startServer } = await import('../../main.ts');
        server = await startServer(config, store, collection === undefined ? {} : { collection });
      } catch (err) {
        await store.close();
        throw err;
      }
      const evaluator = await alerts?.create(server.store, server.app.log);
      process.stdout.write(await banner(config, server, collection, alerts));
      evaluator?.start();
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          const drain = config.drainSeconds > 0 ? `draining for ${config.drainSeconds} s, then ` : '';
          process.stdout.write(`\n${signal}: ${drain}finishing in-flight requests and closing the store…\n`);
          // The alerts stop first: an evaluation in progress is abandoned before the store closes.
          const stopAlerts = evaluator?.stop() ?? Promise.resolve();
          stopAlerts
            .then(() => server.close())
            .then(resolve, (err: unknown) => {
              process.stderr.write(`shutdown failed: ${String(err)}\n`);
              resolve();
            });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function banner(
  config: Config,
  server: RunningServer,
  collection: ServerCollection | undefined,
  alerts: ServerAlerts | undefined,
): Promise<string> {
  const { url, socketPath: socket } = server;
  const api = `${url}/v1/analytics/commercial/deployment/license/`;
  const head = `\nSeatwise ${VERSION} is serving ${displayDb(config.db)}\n  API:        ${api}\n`;
  const commands =
    socket === undefined ? '' : `  Commands:   seatwise commands on this --db go through ${socket}\n`;
  const collects =
    collection === undefined
      ? ''
      : `  Collects:   partner ${collection.partnerId}; schedule and runs at ${url}/seatwise/v1/status\n`;
  const alerting =
    alerts === undefined
      ? ''
      : `  Alerts:     ${alerts.config.rules.length} rule(s) from ${alerts.config.source} for partner ${alerts.partnerId}, ` +
        `${alerts.config.webhooks.length} webhook(s)\n`;
  const tail = `  OpenAPI:    ${url}/openapi.json\n${commands}${collects}${alerting}\n`;
  if (!config.localIssuer) {
    return (
      `${head}  Dashboard:  ${url}/dashboard\n${tail}` +
      `Tokens are accepted from: ${config.issuers.map((i) => i.issuer).join(', ')}\n\nPress Ctrl+C to stop.\n`
    );
  }
  const key = await openIssuerKey(config.db, server.store, config.keyFile);
  const token = await issueLocalToken(key, {
    partnerId: DEMO_PARTNER_ID,
    expiresInSeconds: 24 * 3600,
    audience: config.audience,
    roles: config.allowedRoles?.slice(0, 1) ?? [],
  });
  return (
    `${head}  Dashboard:  ${url}/dashboard#token=${token}\n${tail}` +
    `Try it (a demo-partner token valid for 24 h; make more with 'seatwise token'):\n\n` +
    `  curl -s -H "Authorization: Bearer ${token}" "${api}?groupby=serviceCode,channel"\n\n` +
    `Press Ctrl+C to stop.\n`
  );
}
