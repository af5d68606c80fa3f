// A Lua script as a typed Redis command. ioredis's defineCommand adds the command to the client at run time
// (EVALSHA, falling back to EVAL once the script is unknown), so its types cannot know it: the one cast that
// reaches it lives here instead of in every adapter with a script.
import type { Redis } from 'ioredis';

/** The command bound to its client; keys come first (after their count when the definition has none). */
export type RedisCommand<Reply> = (...args: (string | number)[]) => Promise<Reply>;

export interface CommandDefinition {
  lua: string;
  /** How many of the arguments are keys (and get the client's keyPrefix); absent: the first argument says. */
  numberOfKeys?: number;
}

/** Defines `name` on `redis` and returns it; `Reply` is what the script returns (Redis' conversion of it). */
export function defineCommand<Reply>(redis: Redis, name: string, definition: CommandDefinition): RedisCommand<Reply> {
  redis.defineCommand(name, definition);
  const command = (redis as unknown as Record<string, (...args: unknown[]) => Promise<Reply>>)[name]!;
  return (...args) => command.apply(redis, args);
}
