/**
 * The dependency rules of STYLE.md, checked on the source: only http/ imports the web framework,
 * only store adapters import database drivers, query/ and sql/ stay pure, the SDK loads nothing
 * but its own files at run time, and the CLI loads the web server only to serve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path/posix';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface Import {
  readonly file: string;
  readonly spec: string;
  readonly typeOnly: boolean;
  /** `import(…)`, loaded when the code runs rather than with the module. */
  readonly dynamic: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const IMPORT_RE =
  /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

const imports: Import[] = sources(SRC).flatMap((path) => {
  const text = readFileSync(path, 'utf8');
  const file = relative(SRC, path);
  return [...text.matchAll(IMPORT_RE)].map((m) => ({
    file,
    spec: (m[3] ?? m[4] ?? m[5])!,
    typeOnly: m[2] !== undefined,
    dynamic: m[5] !== undefined,
  }));
});

const packageOf = (spec: string) =>
  spec.startsWith('.')
    ? null
    : spec.startsWith('@')
      ? spec.split('/').slice(0, 2).join('/')
      : spec.split('/')[0]!;

function importers(pkgs: string[]): string[] {
  return [
    ...new Set(
      imports.filter((i) => !i.typeOnly && pkgs.includes(packageOf(i.spec) ?? '')).map((i) => i.file),
    ),
  ].sort();
}

describe('architecture', () => {
  it('reads a meaningful number of imports', () => {
    expect(imports.length).toBeGreaterThan(100);
  });

  it('only http/ imports the web framework', () => {
    expect(importers(['fastify', '@fastify/swagger']).every((f) => f.startsWith('http/'))).toBe(true);
  });

  it('only store adapters import database drivers', () => {
    expect(importers(['@duckdb/node-api']).every((f) => f.startsWith('store/duckdb/'))).toBe(true);
    expect(importers(['pg', 'pg-copy-streams']).every((f) => f.startsWith('store/postgres/'))).toBe(true);
  });

  it('query/ and sql/ are pure: no packages, no node: modules, no I/O layers', () => {
    for (const i of imports.filter((x) => x.file.startsWith('query/') || x.file.startsWith('sql/'))) {
      expect(i.spec.startsWith('.'), `${i.file} imports ${i.spec}`).toBe(true);
      expect(i.spec, `${i.file} imports ${i.spec}`).not.toMatch(
        /\/(http|store\/duckdb|store\/postgres|service|ingest|cli)\//,
      );
    }
  });

  it('the CLI loads the web server and the token verifier only to serve', () => {
    // Every module the CLI's entry loads with it, following static imports (not type-only ones).
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const i of imports) {
        if (i.file === file && i.spec.startsWith('.') && !i.typeOnly && !i.dynamic) {
          visit(join(dirname(file), i.spec));
        }
      }
    };
    visit('cli/main.ts');
    expect(loaded.has('cli/commands/import.ts')).toBe(true);
    expect(loaded.has('store/duckdb/duckdb-store.ts')).toBe(true);
    const server = [...loaded].filter((f) => ['main.ts', 'http/app.ts', 'auth/verify.ts'].includes(f));
    expect(server).toEqual([]);
    expect(importers(['fastify', '@fastify/swagger']).filter((f) => loaded.has(f))).toEqual([]);
  });

  it('the SDK loads only its own files at run time (type-only imports elsewhere)', () => {
    for (const i of imports.filter((x) => x.file.startsWith('sdk/') && !x.typeOnly)) {
      expect(i.spec.startsWith('./'), `${i.file} imports ${i.spec} at run time`).toBe(true);
    }
  });
});
