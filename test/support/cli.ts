/** Runs the real `bin/seatwise` as a child process, as a user would. */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/seatwise', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every E5 row of one snapshot, read back as a user would: `seatwise query --all --format ndjson`. */
export async function queryAll<T = Record<string, unknown>>(
  db: string,
  partner: string,
  date: string,
): Promise<T[]> {
  const r = await runCli([
    'query',
    '--db',
    db,
    '--partner',
    partner,
    '--date',
    date,
    '--all',
    '--format',
    'ndjson',
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `seatwise serve` and resolves once it has printed its ready banner. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Press Ctrl+C to stop.')) {
        clearInterval(timer);
        resolve();
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`serve exited early with ${code}: ${err}${out}`));
    });
  });
  return { child, stdout: () => out, exited };
}
