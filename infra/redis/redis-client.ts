import { Redis } from 'ioredis';

/** Redis client for commands. Library retries stay off for commands: Temporal retries activities. */
export function createRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, { keyPrefix, maxRetriesPerRequest: 1, enableAutoPipelining: true, lazyConnect: false });
}

export type { Redis };
