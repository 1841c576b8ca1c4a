/**
 * The CLI starts without the heavy parts: `seatwise --help` and `seatwise token` (on a DuckDB file,
 * whose issuer key is a file beside it) import neither DuckDB, nor Fastify, nor a PostgreSQL or
 * Redis client, nor MSAL (which login and collect load). Traced with a module hook on the real,
 * compiled `bin/seatwise`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.ts';

const HOOK = fileURLToPath(new URL('../support/trace-packages.mjs', import.meta.url));
const HEAVY = ['@duckdb/node-api', 'fastify', 'pg', 'pg-copy-streams', 'redis', '@azure/msal-node'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI and returns what it printed and the packages it imported. */
async function traced(
  name: string,
  args: readonly string[],
): Promise<{ stdout: string; packages: string[] }> {
  const trace = join(dir, `${name}.txt`);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', HOOK, BIN, ...args],
      { env: { ...process.env, SEATWISE_TRACE_PACKAGES: trace } },
      (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`))),
    );
  });
  const packages = (await readFile(trace, 'utf8').catch(() => '')).split('\n').filter((p) => p !== '');
  return { stdout, packages: [...new Set(packages)].sort() };
}

describe('CLI start-up', () => {
  it('--help loads neither DuckDB, Fastify nor a database client', async () => {
    const { stdout, packages } = await traced('help', ['--help']);
    expect(stdout).toContain('Usage: seatwise');
    expect(packages).toContain('@commander-js/extra-typings');
    for (const heavy of HEAVY) expect(packages).not.toContain(heavy);
  });

  it('token signs a token without them', async () => {
    const { stdout, packages } = await traced('token', ['token', '--db', join(dir, 'start.duckdb')]);
    expect(stdout.trim().split('.')).toHaveLength(3);
    expect(packages).toContain('jose');
    for (const heavy of HEAVY) expect(packages).not.toContain(heavy);
  });

  it('the trace sees DuckDB when a command does load it', async () => {
    const { packages } = await traced('snapshots', ['snapshots', '--db', join(dir, 'start.duckdb')]);
    expect(packages).toContain('@duckdb/node-api');
  });

  it('the trace sees MSAL when login loads it', async () => {
    const { stdout, packages } = await traced('logout', ['logout', '--credentials', join(dir, 'none.json')]);
    expect(stdout).toContain('No stored sign-in');
    expect(packages).not.toContain('@azure/msal-node');
    // login loads it before it checks its flags, so a bad --tenant is enough to see it.
    await expect(
      traced('login', [
        'login',
        '--tenant',
        'x y',
        '--client-id',
        'c',
        '--credentials',
        join(dir, 'none.json'),
      ]),
    ).rejects.toThrow(/--tenant must be/);
    const loaded = (await readFile(join(dir, 'login.txt'), 'utf8')).split('\n');
    expect(loaded).toContain('@azure/msal-node');
  });
});
