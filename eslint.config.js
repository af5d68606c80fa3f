// Lint rules that guard the architecture. Workflows must stay deterministic: they may not import
// Node built-ins, infrastructure adapters or libraries that do I/O.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.venv/**', 'infra/deploy/**', 'dist/**', 'web/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // A dropped promise is a rejection nobody handles, and an unhandled rejection ends the process: every
  // promise is awaited, returned or given a .catch (`void` does not count).
  // (Server-side code: the browser client in web/ has no process to lose.)
  {
    files: ['**/*.ts'],
    ignores: ['web/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must be deterministic: no Node built-ins.' })),
        patterns: [
          { group: ['node:*'], message: 'Workflows must be deterministic: no Node built-ins.' },
          { group: ['**/infra/**', '**/workers/**', '**/api/**'], message: 'Workflows may import only workflow code, domain code and @temporalio/workflow.' },
          { group: ['**/activities/**'], allowTypeImports: true, message: 'Workflows may import only the types of activities.' },
          { group: ['ioredis', 'pg', '@qdrant/*', 'fastify', 'ws', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows may not import I/O libraries.' },
        ],
      }],
    },
  },
);
