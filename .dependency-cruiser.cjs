/**
 * The layers of src/, checked by `npm run lint:layers` (dependency-cruiser).
 *
 * A module may import from its own layer and from the layers below it, never from a layer above.
 * Paths are relative to the directory the cruise runs from (the repository root for `npm run
 * lint:layers`; test/layers.test.ts runs the same rules on test/fixtures/layers/ as its baseDir).
 * Test files (`*.test.ts`) are not cruised: a test may import anything.
 */

/** Top to bottom. `paths` are regular expressions relative to src/. */
const LAYERS = [
  // The package's entry point (`import … from 'seatwise'`): re-exports the server API.
  { name: 'package', paths: ['index\\.ts$'] },
  { name: 'cli', paths: ['cli/'] },
  { name: 'server', paths: ['main\\.ts$', 'channel/'] },
  // Alert rules and their webhooks (`serve --alerts`): above http/, which knows nothing of them.
  { name: 'alerts', paths: ['alerts/'] },
  { name: 'http', paths: ['http/'] },
  { name: 'service', paths: ['service/'] },
  { name: 'ingest', paths: ['ingest/'] },
  { name: 'open-store', paths: ['open-store\\.ts$'] },
  {
    name: 'store-adapters',
    paths: [
      'store/duckdb/',
      'store/postgres/',
      'store/csv-header\\.ts$',
      'store/read-rows\\.ts$',
      'store/subscription-rows\\.ts$',
      'store/collection-runs\\.ts$',
      'store/prices\\.ts$',
    ],
  },
  { name: 'sql', paths: ['sql/'] },
  { name: 'store-port', paths: ['store/store\\.ts$', 'store/schema-version\\.ts$'] },
  // The configuration parses rate limits and issuers with auth/'s own readers.
  { name: 'config', paths: ['config\\.ts$'] },
  { name: 'query-auth', paths: ['query/', 'auth/'] },
  {
    name: 'foundation',
    paths: ['domain/', 'contract/', 'errors\\.ts$', 'version\\.ts$'],
  },
];

const SDK = '^src/sdk/';

const inSrc = (paths) => paths.map((p) => `^src/${p}`);

/** An npm package, installed (resolved into node_modules, possibly a parent's) or not. */
const pkg = (name) => `(^|/)node_modules/${name}/|^${name}$`;

const FASTIFY = [pkg('fastify'), pkg('@fastify/[^/]+')];
const DRIVERS = [pkg('@duckdb/node-api'), pkg('pg'), pkg('pg-copy-streams')];

const layerRules = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `src/${layer.paths.join(', src/')}: imports a layer above it (${LAYERS.slice(0, i + 1)
    .map((l) => l.name)
    .join(', ')})`,
  severity: 'error',
  from: { path: inSrc(layer.paths) },
  to: { path: LAYERS.slice(0, i + 1).flatMap((l) => inSrc(l.paths)) },
}));

const LAYERED = [...LAYERS.flatMap((l) => inSrc(l.paths)), SDK];

/**
 * The unit a cycle must not leave: a folder directly under src/ (store/<adapter>/ for the store
 * adapters) or one file at the top of src/ (store/store.ts counts as such a file). Cycles inside
 * one unit, e.g. src/cli/ and src/cli/commands/, are allowed.
 */
const UNIT = '^(src/(?:store/store\\.ts$|store/[^/]+/|[^/]+/|[^/]+$))';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'unlayered-import',
      comment: 'imports a module under src/ that belongs to no layer (add it to LAYERS or move it)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: LAYERED },
    },
    {
      name: 'unlayered-importer',
      comment: 'a module under src/ that belongs to no layer imports from src/',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERED },
      to: { path: '^src/' },
    },
    {
      name: 'no-folder-cycle',
      comment: 'a dependency cycle that leaves its folder (see UNIT)',
      severity: 'error',
      from: { path: UNIT },
      to: { circular: true, via: { pathNot: '^$1' } },
    },
    {
      name: 'sdk-standalone',
      comment:
        'src/sdk/ is published on its own: it imports nothing else from src/ at run time (the wire types it shares are erased)',
      severity: 'error',
      from: { path: SDK },
      to: { path: '^src/', pathNot: SDK, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sdk-importers',
      comment: 'only src/cli/ may import src/sdk/',
      severity: 'error',
      from: { path: '^src/', pathNot: [SDK, '^src/cli/'] },
      to: { path: SDK },
    },
    {
      name: 'fastify-only-in-http',
      comment: 'only src/http/ and src/main.ts may import fastify or @fastify/*',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/http/', '^src/main\\.ts$'] },
      to: { path: FASTIFY },
    },
    {
      name: 'duckdb-only-in-adapter',
      comment: 'only src/store/duckdb/ may import @duckdb/node-api',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/duckdb/' },
      to: { path: pkg('@duckdb/node-api') },
    },
    {
      name: 'pg-only-in-adapter',
      comment: 'only src/store/postgres/ may import pg or pg-copy-streams',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/postgres/' },
      to: { path: [pkg('pg'), pkg('pg-copy-streams')] },
    },
    {
      name: 'redis-only-in-limiter',
      comment: 'only src/auth/redis-rate-limiter.ts may import redis',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/auth/redis-rate-limiter\\.ts$' },
      to: { path: [pkg('redis'), pkg('@redis/[^/]+')] },
    },
    {
      name: 'msal-only-in-sign-in',
      comment:
        'only src/ingest/sign-in/ may import @azure/msal-node (the CLI loads it with a dynamic import, in login and collect)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/ingest/sign-in/' },
      to: { path: [pkg('@azure/msal-node'), pkg('@azure/msal-common')] },
    },
    {
      name: 'store-port-pure',
      comment: 'src/store/store.ts (the port) imports neither src/sql/ nor a database driver',
      severity: 'error',
      from: { path: '^src/store/store\\.ts$' },
      to: { path: ['^src/sql/', ...DRIVERS] },
    },
    // The CLI starts without loading the web server. Type-only imports are erased before the code
    // runs, so they are allowed (as `import type`; an `import { type X }` list is kept as a bare
    // import under verbatimModuleSyntax but reported as type-only, so write `import type`).
    {
      name: 'cli-no-server',
      comment: 'src/cli/ must not load fastify, src/http/ or src/auth/verify.ts',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: {
        path: ['^src/http/', '^src/auth/verify\\.ts$', ...FASTIFY],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'cli-main-dynamic-only',
      comment: 'src/cli/ may load src/main.ts only with a dynamic import() (serve)',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/main\\.ts$', dynamic: false, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    moduleSystems: ['es6', 'cjs'],
    // Type-only imports count: they bind layers as much as value imports do.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Sources import each other as `./x.ts` (tsx, allowImportingTsExtensions).
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
