// Start-up checks: a process whose dependency is missing stops at once with a message naming it (and its
// address without credentials), instead of serving requests that can only fail.
import { Connection } from '@temporalio/client';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { Config } from './config.js';
import { RagtimeError } from '../domain/errors.js';
import { createEmbedder } from './ingestion/vector-adapters.js';
import { createPool } from './postgres/pool.js';
import { createRedis } from './redis/redis-client.js';

/** Retryable: the dependency may come up (an orchestrator restarts the process). */
export class DependencyUnavailable extends RagtimeError {
  constructor(readonly dependency: string, address: string, cause: unknown) {
    super('dependency_unavailable', `${dependency} is unreachable at ${address}: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`, {
      retryable: true, cause, details: { dependency, address },
    });
  }
}

/** Runs `check` with a time limit; throws DependencyUnavailable naming the dependency when it fails. */
export async function requireDependency(dependency: string, address: string, check: () => Promise<unknown>, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (error) {
    throw new DependencyUnavailable(dependency, withoutCredentials(address), error);
  } finally {
    clearTimeout(timer);
  }
}

export type Dependency = 'Redis' | 'PostgreSQL' | 'Temporal' | 'embedding server' | 'Qdrant';

/** Each dependency's check with a throwaway client, and the address its message names. */
const checks: Record<Dependency, (config: Config) => { address: string; check: () => Promise<unknown>; timeoutMs?: number }> = {
  Redis: (config) => ({
    address: config.REDIS_URL,
    check: async () => {
      const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
      redis.on('error', () => undefined);
      try {
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    },
  }),
  PostgreSQL: (config) => ({
    address: config.DATABASE_URL,
    check: async () => {
      const pool = createPool(config.DATABASE_URL);
      try {
        await pool.query('SELECT 1');
      } finally {
        await pool.end();
      }
    },
  }),
  Temporal: (config) => ({
    address: config.TEMPORAL_ADDRESS,
    check: async () => (await Connection.connect({ address: config.TEMPORAL_ADDRESS })).close(),
    timeoutMs: 15_000,
  }),
  // One real embedding: the address, the credential, the model name and its dimensions are all checked.
  'embedding server': (config) => ({
    address: config.EMBEDDINGS_BASE_URL,
    check: () => createEmbedder(config).embedQuery('ping'),
    timeoutMs: 15_000,
  }),
  Qdrant: (config) => ({
    address: config.QDRANT_URL ?? '(QDRANT_URL unset)',
    check: () => new QdrantClient({ url: config.QDRANT_URL!, ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}), checkCompatibility: false }).getCollections(),
  }),
};

/** Checks the named dependencies in order; throws DependencyUnavailable naming the first one that fails. */
export async function requireDependencies(config: Config, dependencies: readonly Dependency[]): Promise<void> {
  for (const dependency of dependencies) {
    const { address, check, timeoutMs } = checks[dependency](config);
    await requireDependency(dependency, address, check, timeoutMs);
  }
}

export function withoutCredentials(address: string): string {
  try {
    const url = new URL(address);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return address;
  }
}
