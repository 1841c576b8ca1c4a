/**
 * The layer rules of .dependency-cruiser.cjs (`npm run lint:layers`) catch what they should: each
 * bad import in test/fixtures/layers/ is reported under exactly the rules it breaks, the clean
 * fixture files under none, and generated trees check the layer order pair by pair.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/layers');

let options: ICruiseOptions;

beforeAll(async () => {
  options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
});

/** A resolved npm dependency as its package name; local modules as they are. */
function target(resolved: string): string {
  const at = resolved.lastIndexOf('node_modules/');
  if (at < 0) return resolved;
  const parts = resolved.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Cruises `src` under `baseDir` as `npm run lint:layers` does from the repository root. */
async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const { output } = await cruise(
    ['src'],
    { ...options, baseDir },
    {},
    { tsConfig: extractTSConfig(join(ROOT, 'tsconfig.json')) },
  );
  return typeof output === 'string' ? (JSON.parse(output) as ICruiseResult) : output;
}

/** Writes `files` into a temporary directory and cruises its `src`. */
async function cruiseTree(files: Record<string, string>): Promise<ICruiseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'seatwise-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await cruiseSrc(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `from → to` of each violation with the names of the rules it breaks, sorted. A cycle is reported
 * once, from whichever of its modules comes first, so it is keyed by its sorted modules instead.
 */
function violationsOf(result: ICruiseResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of result.summary.violations) {
    const key = v.cycle
      ? `cycle ${v.cycle
          .map((m) => m.name)
          .sort()
          .join(' ⇄ ')}`
      : `${v.from} → ${target(v.to)}`;
    out[key] = [...(out[key] ?? []), v.rule.name].sort();
  }
  return out;
}

describe('layer rules on the fixture', () => {
  it('defines one rule per layer below the top, then the extra rules', () => {
    expect(options.ruleSet?.forbidden?.map((r) => r.name)).toEqual([
      'layer-cli',
      'layer-server',
      'layer-alerts',
      'layer-http',
      'layer-service',
      'layer-ingest',
      'layer-open-store',
      'layer-store-adapters',
      'layer-sql',
      'layer-store-port',
      'layer-config',
      'layer-query-auth',
      'layer-foundation',
      'unlayered-import',
      'unlayered-importer',
      'no-folder-cycle',
      'sdk-standalone',
      'sdk-importers',
      'fastify-only-in-http',
      'duckdb-only-in-adapter',
      'pg-only-in-adapter',
      'redis-only-in-limiter',
      'msal-only-in-sign-in',
      'store-port-pure',
      'cli-no-server',
      'cli-main-dynamic-only',
    ]);
  });

  it('reports each bad import under exactly the rules it breaks', async () => {
    const result = await cruiseSrc(FIXTURE);
    expect(violationsOf(result)).toEqual({
      'src/domain/upward.ts → src/http/handler.ts': ['layer-foundation'],
      'cycle src/auth/cycle.ts ⇄ src/query/cycle.ts': ['no-folder-cycle'],
      'src/store/store.ts → src/sql/query.ts': ['layer-store-port', 'store-port-pure'],
      'src/store/store.ts → @duckdb/node-api': ['duckdb-only-in-adapter', 'store-port-pure'],
      'src/cli/loads-server.ts → src/main.ts': ['cli-main-dynamic-only'],
      'src/cli/loads-server.ts → src/http/handler.ts': ['cli-no-server'],
      'src/cli/loads-server.ts → fastify': ['cli-no-server', 'fastify-only-in-http'],
      'src/service/misplaced.ts → fastify': ['fastify-only-in-http'],
      'src/service/misplaced.ts → src/sdk/client.ts': ['sdk-importers'],
      'src/service/misplaced.ts → src/stray.ts': ['unlayered-import'],
      'src/sdk/client.ts → src/domain/clean.ts': ['sdk-standalone'],
      'src/stray.ts → src/domain/clean.ts': ['unlayered-importer'],
    });
    // Fifteen in all: three imports break two rules each.
    expect(result.summary.error).toBe(15);
  });

  it('reports nothing from the clean files, whose imports all resolve', async () => {
    const result = await cruiseSrc(FIXTURE);
    const clean = [
      'src/cli/commands/serve.ts',
      'src/cli/main.ts',
      'src/domain/clean.ts',
      'src/errors.ts',
      'src/http/handler.ts',
      'src/main.ts',
      'src/sql/query.ts',
      'src/store/duckdb/adapter.ts',
    ];
    const byName = new Map(result.modules.map((m) => [m.source, m]));
    for (const name of clean) {
      const module = byName.get(name);
      expect(module?.valid, name).toBe(true);
      expect(
        module?.dependencies.filter((d) => !d.valid || d.couldNotResolve).map((d) => d.module),
        name,
      ).toEqual([]);
    }
    const serve = byName.get('src/cli/commands/serve.ts')?.dependencies ?? [];
    // The dynamic import of main.ts is seen (and allowed), beside the type-only one.
    expect(
      serve
        .filter((d) => d.resolved === 'src/main.ts')
        .map((d) => ({ dynamic: d.dynamic, typeOnly: d.dependencyTypes.includes('type-only') })),
    ).toEqual([
      { dynamic: true, typeOnly: false },
      { dynamic: false, typeOnly: true },
    ]);
    // cli/main.ts and cli/commands/serve.ts form a cycle, allowed because it stays in src/cli/.
    const toCliMain = serve.find((d) => d.resolved === 'src/cli/main.ts');
    expect([toCliMain?.circular, toCliMain?.valid]).toEqual([true, true]);
  });
});

describe('layer rules on generated trees', () => {
  // One module per folder or file of each layer, top to bottom, as the layers are documented.
  const LAYERS: [layer: string, file: string][] = [
    ['cli', 'src/cli/x.ts'],
    ['server', 'src/main.ts'],
    ['server', 'src/channel/x.ts'],
    ['alerts', 'src/alerts/x.ts'],
    ['http', 'src/http/x.ts'],
    ['service', 'src/service/x.ts'],
    ['ingest', 'src/ingest/x.ts'],
    ['open-store', 'src/open-store.ts'],
    ['store-adapters', 'src/store/duckdb/x.ts'],
    ['store-adapters', 'src/store/postgres/x.ts'],
    ['sql', 'src/sql/x.ts'],
    ['store-port', 'src/store/store.ts'],
    ['config', 'src/config.ts'],
    ['query-auth', 'src/query/x.ts'],
    ['query-auth', 'src/auth/x.ts'],
    ['foundation', 'src/domain/x.ts'],
    ['foundation', 'src/contract/x.ts'],
    ['foundation', 'src/errors.ts'],
    ['foundation', 'src/version.ts'],
  ];
  const ORDER = [...new Set(LAYERS.map(([layer]) => layer))];
  const rank = (layer: string) => ORDER.indexOf(layer);

  function specifier(from: string, to: string): string {
    const rel = relative(dirname(from), to);
    return rel.startsWith('.') ? rel : `./${rel}`;
  }

  /** Each module of LAYERS importing every module of the layers above (or below) its own. */
  function importing(direction: 'above' | 'below'): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [layer, file] of LAYERS) {
      const targets = LAYERS.filter(([other]) =>
        direction === 'above' ? rank(other) < rank(layer) : rank(other) > rank(layer),
      );
      files[file] = `${targets.map(([, to]) => `import '${specifier(file, to)}';\n`).join('')}export {};\n`;
    }
    return files;
  }

  it('reports every import of a layer above under the importing layer’s rule', async () => {
    const expected: Record<string, string[]> = {};
    for (const [layer, file] of LAYERS) {
      for (const [other, to] of LAYERS) {
        if (rank(other) < rank(layer)) expected[`${file} → ${to}`] = [`layer-${layer}`];
      }
    }
    expected['src/store/store.ts → src/sql/x.ts'] = ['layer-store-port', 'store-port-pure'];
    const result = await cruiseTree(importing('above'));
    // 19 modules in layers of 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2 and 4: 171 pairs, 9 within a layer.
    expect(Object.keys(expected)).toHaveLength(162);
    expect(violationsOf(result)).toEqual(expected);
  });

  it('allows every import of a layer below, except the CLI loading the server', async () => {
    const result = await cruiseTree(importing('below'));
    expect(result.summary.totalCruised).toBe(LAYERS.length);
    expect(violationsOf(result)).toEqual({
      'src/cli/x.ts → src/main.ts': ['cli-main-dynamic-only'],
      'src/cli/x.ts → src/http/x.ts': ['cli-no-server'],
    });
  });

  it('allows imports within a layer, across its folders', async () => {
    const result = await cruiseTree({
      'src/main.ts': "import './channel/x.ts';\nexport {};\n",
      'src/channel/x.ts': 'export {};\n',
      'src/query/x.ts': "import '../auth/x.ts';\nexport {};\n",
      'src/auth/x.ts': 'export {};\n',
      'src/domain/x.ts': "import '../errors.ts';\nimport '../contract/x.ts';\nexport {};\n",
      'src/errors.ts': 'export {};\n',
      'src/contract/x.ts': "import '../version.ts';\nexport {};\n",
      'src/version.ts': 'export {};\n',
    });
    expect(result.summary.totalCruised).toBe(8);
    expect(violationsOf(result)).toEqual({});
  });

  it('does not cruise test files, which may import anything', async () => {
    const result = await cruiseTree({
      'src/http/b.ts': 'export const b = 1;\n',
      'src/domain/a.test.ts': "import { b } from '../http/b.ts';\nexport const a = b;\n",
      'src/domain/a.ts': "import { b } from '../http/b.ts';\nexport const a = b;\n",
    });
    expect(result.modules.map((m) => m.source).sort()).toEqual(['src/domain/a.ts', 'src/http/b.ts']);
    expect(violationsOf(result)).toEqual({ 'src/domain/a.ts → src/http/b.ts': ['layer-foundation'] });
  });
});
