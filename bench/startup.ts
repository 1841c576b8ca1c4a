/**
 * Start-up: `seatwise --help` and `seatwise token` (the compiled CLI, as installed) beside
 * `node -e ''` on the same machine, the runs alternating. Target: `--help` within 4× of bare Node.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = new URL('../bin/seatwise', import.meta.url).pathname;
const RUNS = 15;

export interface StartupResult {
  /** Median wall milliseconds. */
  readonly nodeMs: number;
  readonly helpMs: number;
  readonly tokenMs: number;
  readonly ratio: number;
}

async function wallMs(args: readonly string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [...args]);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function measureStartup(): Promise<StartupResult> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-startup-'));
  const db = join(dir, 'seatwise.duckdb');
  try {
    await wallMs([BIN, 'token', '--db', db]); // creates the issuer key once
    const node: number[] = [];
    const help: number[] = [];
    const token: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node.push(await wallMs(['-e', '']));
      help.push(await wallMs([BIN, '--help']));
      token.push(await wallMs([BIN, 'token', '--db', db]));
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    const nodeMs = median(node);
    const helpMs = median(help);
    return {
      nodeMs: round(nodeMs),
      helpMs: round(helpMs),
      tokenMs: round(median(token)),
      ratio: round(helpMs / nodeMs),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
