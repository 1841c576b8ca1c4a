/**
 * The package as npm ships it: `npm pack`, then the tarball installed into an empty project, used
 * the ways a new user would: `npx seatwise --help`, `npx seatwise serve --demo` and its printed
 * curl, a plain Node.js ESM program on `seatwise/sdk` and on `seatwise`, and a strict TypeScript
 * program type-checked against the installed declarations. Nothing here reads the repository's
 * sources: only what the tarball holds and what npm installs for it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let work: string;
let app: string;
let server: ChildProcess | undefined;
let banner = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'seatwise-package-'));
  app = join(work, 'app');
  await mkdir(app);
  // dist/ is fresh (test/global-setup.ts), so the pack need not build it again.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const installed = await run(
    'npm',
    [
      'install',
      join(work, filename),
      `@types/node@${own.devDependencies['@types/node']}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ],
    app,
  );
  expect(installed.code, installed.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  // npx and the server it started share a process group of their own (detached).
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-(server?.pid ?? 0), 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(work, { recursive: true, force: true });
});

describe('the packed tarball, installed into an empty project', () => {
  it('ships the compiled code, its declarations and the docs, and no sources or tests', async () => {
    const listed = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], ROOT);
    const [{ files }] = JSON.parse(listed.stdout) as [{ files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/seatwise',
        'dist/cli/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/sdk/index.js',
        'dist/sdk/index.d.ts',
        'dist/dashboard/index.html',
        'dist/domain/sku-catalog.csv',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(src|test|bench)\//.test(p) || p.includes('.test.'))).toEqual([]);
    // The docs without the README's screenshots, which only the repository needs.
    expect(paths).toContain('docs/extension-api.md');
    expect(paths.filter((p) => p.startsWith('docs/screenshots/'))).toEqual([]);
    const pkg = JSON.parse(await readFile(join(app, 'node_modules/seatwise/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const buildOnly of ['tsx', 'typescript', 'vitest', '@biomejs/biome']) {
      expect(pkg.dependencies).not.toHaveProperty(buildOnly);
    }
  });

  it('npx seatwise --help lists the commands', async () => {
    const r = await run('npx', ['--no-install', 'seatwise', '--help'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: seatwise \[options\] \[command\]/);
    for (const command of ['serve', 'import', 'collect', 'demo', 'token', 'query', 'export', 'snapshots']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('npx seatwise serve --demo prints a curl that answers, and the SDK reads the same from a plain ESM program', async () => {
    server = spawn('npx', ['--no-install', 'seatwise', 'serve', '--demo', '--port', '0'], {
      cwd: app,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stdout?.on('data', (d: Buffer) => {
      banner += d.toString('utf8');
    });
    server.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const started = Date.now();
    while (!banner.includes('Press Ctrl+C to stop.')) {
      if (server.exitCode !== null || Date.now() - started > 60_000) {
        throw new Error(`serve --demo did not start:\n${banner}\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const curl = /^\s*(curl .+)$/m.exec(banner)?.[1];
    expect(curl, banner).toBeDefined();
    const answered = await run('bash', ['-c', curl!], app);
    expect(answered.code, answered.stderr).toBe(0);
    const groups = JSON.parse(answered.stdout) as {
      Value: { serviceCode: string; channel: string; licensesSold: number }[];
      TotalCount: number;
    };
    expect(groups.TotalCount).toBeGreaterThan(0);
    expect(groups.Value.length).toBe(groups.TotalCount);
    expect(groups.Value.map((g) => g.serviceCode)).toContain('o365');

    // The same question through the installed SDK, from a plain .mjs file run by node.
    const base = /API:\s+(http:\/\/\S+?)\/v1\//.exec(banner)?.[1];
    const token = /Bearer (\S+?)"/.exec(curl!)?.[1];
    await writeFile(
      join(app, 'totals.mjs'),
      [
        "import { createPartnerClient } from 'seatwise/sdk';",
        'const client = createPartnerClient({ baseUrl: process.env.BASE, credentials: process.env.TOKEN });',
        'const page = await client.analytics.commercial.deployment.license.get({ groupby: ["serviceCode", "channel"] });',
        'console.log(JSON.stringify(page.value));',
      ].join('\n'),
    );
    const sdk = await run('node', ['totals.mjs'], app, { BASE: base, TOKEN: token });
    expect(sdk.code, sdk.stderr).toBe(0);
    const viaSdk = JSON.parse(sdk.stdout) as typeof groups.Value;
    const key = (g: { serviceCode: string; channel: string }) => `${g.serviceCode}/${g.channel}`;
    expect(new Map(viaSdk.map((g) => [key(g), g.licensesSold]))).toEqual(
      new Map(groups.Value.map((g) => [key(g), g.licensesSold])),
    );
  });

  it('a plain ESM program starts a server with the package API and reads it back', async () => {
    await writeFile(
      join(app, 'server.mjs'),
      [
        "import { loadConfig, startServer, VERSION } from 'seatwise';",
        "const server = await startServer(loadConfig({ db: ':memory:', port: 0, logLevel: 'silent' }));",
        'try {',
        '  const health = await fetch(server.url + "/healthz");',
        '  console.log(JSON.stringify({ version: VERSION, status: health.status, kind: server.store.kind }));',
        '} finally {',
        '  await server.close();',
        '}',
      ].join('\n'),
    );
    const r = await run('node', ['server.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(r.stdout)).toEqual({ version: own.version, status: 200, kind: 'duckdb' });
  });

  it('a strict TypeScript program type-checks against the installed declarations', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    await writeFile(
      join(app, 'check.ts'),
      [
        "import { createPartnerClient, PartnerCenterError, where } from 'seatwise/sdk';",
        "import { type Config, loadConfig } from 'seatwise';",
        '',
        "const client = createPartnerClient({ baseUrl: 'http://127.0.0.1:8080', credentials: async () => 'token' });",
        'export async function unassigned(): Promise<number> {',
        '  const page = await client.analytics.commercial.deployment.license.get({',
        "    groupby: ['serviceCode', 'channel'],",
        "    filter: where('channel').ne('direct'),",
        '  });',
        '  let seats = 0;',
        '  for (const g of page.value) seats += g.licensesSold - g.licensesDeployed;',
        '  // A grouped row has only the grouped fields and the sums.',
        '  // @ts-expect-error customerName is not among them',
        '  void page.value[0]?.customerName;',
        '  return seats;',
        '}',
        "export const config: Config = loadConfig({ db: ':memory:' });",
        'export const isFault = (e: unknown): boolean => e instanceof PartnerCenterError;',
      ].join('\n'),
    );
    const r = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);

    // The declarations are really checked: a wrong type is an error, not `any` (the libraries'
    // own declarations were checked above, so not again).
    await writeFile(
      join(app, 'check.ts'),
      "import { createPartnerClient } from 'seatwise/sdk';\nexport const c = createPartnerClient({ baseUrl: 8080 });\n",
    );
    const wrong = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--skipLibCheck'], app);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/check\.ts\(2,\d+\): error TS\d+/);
  }, 180_000);
});
