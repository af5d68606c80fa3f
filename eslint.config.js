// Lint rules that guard the architecture: which layer may import what (see the table below), workflows
// deterministic (no Node built-ins, no I/O libraries), the domain free of I/O, and every promise handled.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Every public Node built-in this Node knows, without its `node:` prefix (Node lists node:sqlite, node:test… with it). */
const nodeBuiltins = [...new Set(builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/^node:/, '')))];
/** Each name as an import may spell it; the `node:`-only modules only with the prefix. */
const prefixOnly = new Set(builtinModules.filter((name) => name.startsWith('node:')).map((name) => name.slice('node:'.length)));
const withPrefix = (names) => names.flatMap((name) => (prefixOnly.has(name) ? [`node:${name}`] : [name, `node:${name}`]));
/** The built-ins that reach the disk, the network, other processes or threads. */
const ioBuiltins = nodeBuiltins.filter((name) => /^(fs|net|dns|http|https|http2|tls|dgram|child_process|cluster|worker_threads|inspector|repl|readline|tty|wasi)(\/|$)/.test(name));
/** Libraries whose whole purpose is I/O: databases, queues, servers. */
const ioPackages = ['pg', 'pg/*', 'ioredis', '@qdrant/*', 'fastify', '@fastify/*', 'ws'];

/** Relative imports of top-level folders, however deep the importing file sits (no subfolder shares these names). */
const foldersRegex = (names) => `^[.]{1,2}/(.*/)?(${names.join('|')})(/|$)`;

/**
 * Named restrictions, so each layer states what it refuses by name.
 * Each is a piece of @typescript-eslint/no-restricted-imports options: `paths` and/or `patterns`.
 */
const restriction = {
  // The pattern catches the `node:`-only modules (node:sqlite, node:test…) this list may not name.
  nodeBuiltins: (why) => ({
    paths: withPrefix(nodeBuiltins).map((name) => ({ name, message: why })),
    patterns: [{ regex: `^node:(?!(${nodeBuiltins.join('|')})$)`, message: why }],
  }),
  // node:net's address checks (isIP, isIPv4, isIPv6) are pure functions, so they stay allowed.
  ioBuiltins: (why) => ({
    paths: withPrefix(ioBuiltins).map((name) => (/^(node:)?net$/.test(name) ? { name, message: why, allowImportNames: ['isIP', 'isIPv4', 'isIPv6'] } : { name, message: why })),
  }),
  ioPackages: (why) => ({ patterns: [{ group: ioPackages, message: why }] }),
  folders: (names, why, options = {}) => ({ patterns: [{ regex: foldersRegex(names), message: why, ...options }] }),
};

const workersOnlyFromRoots = restriction.folders(['workers'],
  'Only the composition roots (workers/, api/server.ts, scripts/, bench/, test/) may import workers/.');

/**
 * What each layer may not import. A layer is a glob of files and a map of named restrictions.
 * - workflows: only workflows, domain, ingestion's pure job records, @temporalio/workflow|common, and the types of activities.
 * - activities: only domain, ingestion, ports, activities and @temporalio/activity|common; dependencies come in as ports.
 * - domain, ingestion: pure logic and ports, no I/O and no adapters.
 * - infra: adapters implementing ports; never workflow code or its starters, the API, the workers or the activities.
 * - clients: Temporal client code (starters, handles, search attributes); never the API or activities.
 * - everything but the composition roots: not workers/.
 */
const layers = {
  workflows: {
    files: ['workflows/**/*.ts'],
    restrictions: {
      nodeBuiltins: restriction.nodeBuiltins('Workflows must be deterministic: no Node built-ins.'),
      folders: restriction.folders(['infra', 'api', 'workers', 'clients'], 'Workflows may import only workflow code, domain code and @temporalio/workflow.'),
      activities: restriction.folders(['activities'], 'Workflows may import only the types of activities.', { allowTypeImports: true }),
      // Any other package (built-ins are refused above, with their own message).
      packages: { patterns: [{ regex: `^(?![.]|node:|(${nodeBuiltins.join('|')}|@temporalio/(workflow|common))(/|$))`, message: 'Workflows may import only @temporalio/workflow and @temporalio/common (deterministic code).' }] },
      workers: workersOnlyFromRoots,
    },
  },
  activities: {
    files: ['activities/**/*.ts'],
    restrictions: {
      folders: restriction.folders(['infra', 'api', 'workers', 'clients', 'workflows'], 'Activities import only domain, ingestion, ports and activities: adapters come in as ports (domain/<area>/ports.ts) built by workers/.'),
      ioBuiltins: restriction.ioBuiltins('Activities reach the outside world only through ports.'),
      ioPackages: restriction.ioPackages('Activities reach the outside world only through ports.'),
      temporal: { patterns: [{ regex: '^@temporalio/(?!(activity|common)(/|$))', message: 'Activities may import only @temporalio/activity and @temporalio/common.' }] },
    },
  },
  domain: {
    files: ['domain/**/*.ts', 'ingestion/**/*.ts'],
    restrictions: {
      folders: restriction.folders(['infra', 'api', 'workers', 'activities', 'workflows', 'clients'], 'domain/ and ingestion/ are pure: they declare ports, adapters live in infra/.'),
      ioBuiltins: restriction.ioBuiltins('domain/ and ingestion/ do no I/O: declare a port, implement it in infra/.'),
      ioPackages: restriction.ioPackages('domain/ and ingestion/ do no I/O: declare a port, implement it in infra/.'),
      temporal: { patterns: [{ group: ['@temporalio/client', '@temporalio/worker'], message: 'domain/ and ingestion/ do no I/O: the Temporal client and worker belong to clients/ and workers/.' }] },
    },
    globals: { fetch: 'domain/ and ingestion/ do no I/O: declare a port, implement it in infra/.' },
  },
  infra: {
    files: ['infra/**/*.ts'],
    restrictions: {
      folders: restriction.folders(['workflows', 'clients', 'api', 'activities'], 'infra/ implements ports: it does not import workflow code or its starters (clients/), the API or activities.'),
      workers: workersOnlyFromRoots,
    },
  },
  api: {
    files: ['api/**/*.ts'],
    ignores: ['api/server.ts'],
    restrictions: { workers: workersOnlyFromRoots },
  },
  clients: {
    files: ['clients/**/*.ts'],
    restrictions: {
      folders: restriction.folders(['api', 'activities'], 'clients/ start and read workflows for the API, workers and scripts: they do not import the API or activities.'),
      workers: workersOnlyFromRoots,
    },
  },
  others: {
    files: ['web/**/*.ts', '*.ts', '*.js'],
    restrictions: { workers: workersOnlyFromRoots },
  },
};

const importRules = (restrictions) => ({
  '@typescript-eslint/no-restricted-imports': ['error', {
    paths: Object.values(restrictions).flatMap((r) => r.paths ?? []),
    patterns: Object.values(restrictions).flatMap((r) => r.patterns ?? []),
  }],
});

const globalRules = (globals) => ({
  'no-restricted-globals': ['error', ...Object.entries(globals).map(([name, message]) => ({ name, message }))],
});

function layerConfig(name, layer) {
  return {
    name: `layers/${name}`,
    files: layer.files,
    ...(layer.ignores ? { ignores: layer.ignores } : {}),
    rules: { ...importRules(layer.restrictions), ...(layer.globals ? globalRules(layer.globals) : {}) },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.venv/**', 'infra/deploy/**', 'dist/**', 'web/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Type-aware rules (server-side code; the browser client in web/ has its own tsconfig).
  // A dropped promise is a rejection nobody handles, and an unhandled rejection ends the process: every
  // promise is awaited, returned or given a .catch (`void` does not count). A switch over a union names
  // every member, so adding one (an event type, an error code) shows every place that must handle it.
  {
    files: ['**/*.ts'],
    ignores: ['web/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      // A `default:` is a decision too (it names what the rest of a union does); a switch without one must be complete.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  ...Object.entries(layers).map(([name, layer]) => layerConfig(name, layer)),
);
