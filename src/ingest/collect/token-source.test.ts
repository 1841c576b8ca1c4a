import { describe, expect, it } from 'vitest';
import {
  commandTokenSource,
  jwtExpiry,
  staticTokenSource,
  TokenError,
  tokenCredentials,
} from './token-source.ts';

function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

describe('token sources', () => {
  it('reads a JWT exp without verifying it; other tokens have none', () => {
    expect(jwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(jwtExpiry('tok-123')).toBeUndefined();
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });

  it('runs the command again within 60 s of a JWT expiry, not before', async () => {
    let now = 1_000_000_000_000;
    const runs: string[] = [];
    const source = commandTokenSource('cmd', {
      now: () => now,
      run: async () => {
        const t = jwt({ exp: (now + 3_600_000) / 1000, n: runs.length });
        runs.push(t);
        return `${t}\n`;
      },
    });
    const first = await source.get();
    now += 3_500_000;
    expect(await source.get()).toBe(first);
    now += 50_000;
    const second = await source.get();
    expect(second).not.toBe(first);
    expect(runs).toHaveLength(2);
  });

  it('uses a non-JWT token until a 401, shares one run between concurrent callers', async () => {
    let runs = 0;
    const source = commandTokenSource('cmd', {
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 5));
        return `tok-${runs}`;
      },
    });
    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect([a, b, runs]).toEqual(['tok-1', 'tok-1', 1]);
    expect(await source.get()).toBe('tok-1');
    const [c, d] = await Promise.all([source.get({ rejected: 'tok-1' }), source.get({ rejected: 'tok-1' })]);
    expect([c, d, runs]).toEqual(['tok-2', 'tok-2', 2]);
    // A caller whose rejected token was already replaced gets the replacement without a new run.
    expect(await source.get({ rejected: 'tok-1' })).toBe('tok-2');
    expect(runs).toBe(2);
  });

  it('runs a real shell command and reports failures without the output', async () => {
    expect(await commandTokenSource('echo tok-123').get()).toBe('tok-123');
    await expect(commandTokenSource('echo secret; echo oops >&2; exit 3').get()).rejects.toThrow(
      /exit 3\): oops/,
    );
    await expect(commandTokenSource('echo secret; exit 3').get()).rejects.not.toThrow(/secret/);
    await expect(commandTokenSource('true').get()).rejects.toThrow(TokenError);
    await expect(commandTokenSource('sleep 5', { timeoutMs: 50 }).get()).rejects.toThrow(/timed out/);
  });

  it('a fixed token is trimmed and never refreshable', async () => {
    const s = staticTokenSource(' tok \n');
    expect(s.refreshable).toBe(false);
    expect(await s.get({ rejected: 'tok' })).toBe('tok');
    expect(() => staticTokenSource('  ')).toThrow(TokenError);
  });

  it('as client credentials: a new token only after a 401, and the fixed one stays fixed', async () => {
    let n = 0;
    const credentials = tokenCredentials(commandTokenSource('cmd', { run: async () => `tok-${++n}` }));
    expect(await credentials({ forceRefresh: false })).toBe('tok-1');
    expect(await credentials({ forceRefresh: false })).toBe('tok-1');
    expect(await credentials({ forceRefresh: true, rejectedToken: 'tok-1' })).toBe('tok-2');
    // Another call already replaced the refused token: no new run of the command.
    expect(await credentials({ forceRefresh: true, rejectedToken: 'tok-1' })).toBe('tok-2');
    expect(n).toBe(2);
    const fixed = tokenCredentials(staticTokenSource('abc'));
    expect(await fixed({ forceRefresh: true, rejectedToken: 'abc' })).toBe('abc');
  });
});
