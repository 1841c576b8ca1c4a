/**
 * The throughput section of `npm run bench`: a real `seatwise serve` child process on the demo
 * store (500 customers, 30 days: about 68,000 rows), loaded by autocannon with 32 connections from
 * this process. Every case reports requests per second and p99 latency, measured in the same run
 * as `/healthz`, the reference:
 *
 * - `/healthz`;
 * - a small grouped E5 query repeated (`groupby=serviceCode,channel`; target ≥ 0.5× `/healthz`);
 * - small distinct queries, each request another customer (target ≥ 1,000 requests/s);
 * - a 10,000-row page, plain and with `Accept-Encoding: gzip` (a second partner in the same file
 *   has one demo snapshot of 2,500 customers, since a demo day holds only about 2,500 rows);
 * - a mixed soak (default 120 s) of all of the above: 0 errors, the server's resident memory
 *   growing ≤ 10 % from its start (after a warm-up) to its end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const BIN = fileURLToPath(new URL('../bin/seatwise', import.meta.url));
/** A second partner whose one snapshot has 10,000 rows and more, for the large page. */
const LARGE_PARTNER = 'BE7C0000-0000-4000-8000-00000000000B';
const E5 = '/v1/analytics/commercial/deployment/license/';

export interface ThroughputCase {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Mean response body bytes (what crossed the wire, compressed or not). */
  readonly bytesPerResponse: number;
}

export interface ThroughputResult {
  readonly connections: number;
  readonly seconds: number;
  readonly cases: readonly ThroughputCase[];
  readonly soak: {
    readonly seconds: number;
    readonly requests: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly rssStartMiB: number;
    readonly rssEndMiB: number;
    readonly rssGrowth: number;
    /** The response cache's bytes at the start and end of the soak (null when the server has none). */
    readonly cacheStartMiB: number | null;
    readonly cacheEndMiB: number | null;
  };
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
}

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`seatwise ${args[0]}: ${err}`)),
    );
  });
}

/** Starts `seatwise serve` on the file and reads its URL and demo token from the banner. */
function serve(db: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /API:\s+(http:\/\/\S+?)\/v1\//.exec(out)?.[1];
      const token = /Bearer (\S+?)['"\s]/.exec(out)?.[1];
      if (url !== undefined && token !== undefined) resolve({ child, url, token });
    });
    child.on('exit', (code) => reject(new Error(`seatwise serve exited with ${code}: ${out}`)));
  });
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

type Request = NonNullable<autocannon.Options['requests']>[number];

async function load(
  url: string,
  seconds: number,
  connections: number,
  requests: Request[],
  headers: Record<string, string>,
): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, requests, headers });
}

function summary(name: string, r: autocannon.Result): ThroughputCase {
  return {
    name,
    requestsPerSecond: Math.round(r.requests.average),
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytesPerResponse: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : 0,
  };
}

/** The response cache's bytes, from the status route (null for a server without one). */
async function cacheMiB(server: Server): Promise<number | null> {
  const res = await fetch(`${server.url}/seatwise/v1/status`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await res.json()) as { cache?: { bytes: number } };
  return body.cache === undefined ? null : Math.round(body.cache.bytes / 1024 / 1024);
}

/** Customer ids of the demo's latest snapshot, for queries no cache has seen. */
async function customerIds(server: Server): Promise<string[]> {
  const res = await fetch(`${server.url}${E5}?groupby=customerTenantId&top=10000`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await res.json()) as { Value: { customerTenantId: string }[] };
  return body.Value.map((g) => g.customerTenantId);
}

export async function runThroughput(options: {
  seconds: number;
  soakSeconds: number;
  log: (line: string) => void;
}): Promise<ThroughputResult> {
  const connections = 32;
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-bench-throughput-'));
  const db = join(dir, 'demo.duckdb');
  let server: Server | undefined;
  try {
    options.log(await run(['demo', '--db', db]));
    options.log(
      await run(['demo', '--db', db, '--partner', LARGE_PARTNER, '--customers', '2500', '--days', '1']),
    );
    const largeToken = (await run(['token', '--db', db, '--partner', LARGE_PARTNER])).trim();
    server = await serve(db);
    const auth = { authorization: `Bearer ${server.token}` };
    const largeAuth = { authorization: `Bearer ${largeToken}` };
    const ids = await customerIds(server);
    let next = 0;
    // Each request another customer (and another page of it), so no two ask the same thing.
    const distinct: Request = {
      method: 'GET',
      setupRequest: (req) => {
        const id = ids[next % ids.length]!;
        const skip = Math.floor(next / ids.length);
        next++;
        return {
          ...req,
          path: `${E5}?filter=${encodeURIComponent(`customerTenantId eq '${id}'`)}&skip=${skip}`,
        };
      },
    };
    const grouped: Request = { method: 'GET', path: `${E5}?groupby=serviceCode,channel` };
    const page: Request = { method: 'GET', path: `${E5}?top=10000`, headers: largeAuth };
    const healthz: Request = { method: 'GET', path: '/healthz' };
    const cases: [string, Request[], Record<string, string>][] = [
      ['/healthz', [healthz], {}],
      ['E5 groupby serviceCode,channel, repeated', [grouped], auth],
      ['E5 one customer, every request distinct', [distinct], auth],
      ['E5 10,000-row page', [page], largeAuth],
      ['E5 10,000-row page, gzip', [page], { ...largeAuth, 'accept-encoding': 'gzip' }],
    ];
    const results: ThroughputCase[] = [];
    for (const [name, requests, headers] of cases) {
      // A short warm-up, then the measured run.
      await load(server.url, 2, connections, requests, headers);
      const r = summary(name, await load(server.url, options.seconds, connections, requests, headers));
      results.push(r);
      options.log(
        `  ${name.padEnd(44)} ${String(r.requestsPerSecond).padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(5)} ms` +
          `  ${r.bytesPerResponse} B/response  errors ${r.errors} non-2xx ${r.non2xx}`,
      );
    }
    const pid = server.child.pid!;
    const rssStart = await rssMiB(pid);
    const cacheStart = await cacheMiB(server);
    const mixed = await load(
      server.url,
      options.soakSeconds,
      connections,
      [healthz, grouped, distinct, grouped, page],
      auth,
    );
    const rssEnd = await rssMiB(pid);
    const cacheEnd = await cacheMiB(server);
    const soak = {
      seconds: options.soakSeconds,
      requests: mixed.requests.total,
      errors: mixed.errors + mixed.timeouts,
      non2xx: mixed.non2xx,
      rssStartMiB: Math.round(rssStart),
      rssEndMiB: Math.round(rssEnd),
      rssGrowth: rssStart > 0 ? rssEnd / rssStart - 1 : 0,
      cacheStartMiB: cacheStart,
      cacheEndMiB: cacheEnd,
    };
    options.log(
      `  mixed soak ${soak.seconds} s: ${soak.requests} requests, errors ${soak.errors}, non-2xx ${soak.non2xx},` +
        ` RSS ${soak.rssStartMiB} → ${soak.rssEndMiB} MiB (${(100 * soak.rssGrowth).toFixed(1)} %)` +
        (cacheStart === null ? '' : `, response cache ${cacheStart} → ${cacheEnd} MiB`),
    );
    return { connections, seconds: options.seconds, cases: results, soak };
  } finally {
    if (server !== undefined) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
