// Open WebSockets per API key and per org, counted across API instances: each socket holds a lease (a member
// of a Redis sorted set scored by its expiry on Redis's clock) that its instance renews while it is open. A
// crashed instance's sockets stop counting once their leases expire; one Lua script decides all or nothing.
import type { Redis } from 'ioredis';

const acquireScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member, ttl = ARGV[1], tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if not redis.call('ZSCORE', KEYS[i], member) and redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[i + 2]) then return i end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + ttl, member)
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return 0
`;

const renewScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]))
end
return 0
`;

export interface SocketScope {
  /** What is counted, e.g. `key:<id>` or `org:<id>`. */
  name: string;
  limit: number;
}

export type LeaseResult = { ok: true } | { ok: false; refusedBy: SocketScope };

export class SocketLeases {
  constructor(private readonly redis: Redis, private readonly ttlMs: number) {}

  async acquire(socketId: string, scopes: SocketScope[]): Promise<LeaseResult> {
    const refused = await this.redis.eval(acquireScript, scopes.length, ...scopes.map(keyOf), socketId, this.ttlMs, ...scopes.map((scope) => scope.limit)) as number;
    return refused === 0 ? { ok: true } : { ok: false, refusedBy: scopes[refused - 1]! };
  }

  async renew(socketId: string, scopes: SocketScope[]): Promise<void> {
    await this.redis.eval(renewScript, scopes.length, ...scopes.map(keyOf), socketId, this.ttlMs);
  }

  async release(socketId: string, scopes: SocketScope[]): Promise<void> {
    await Promise.all(scopes.map((scope) => this.redis.zrem(keyOf(scope), socketId)));
  }
}

function keyOf(scope: SocketScope): string {
  return `sockets:${scope.name}`;
}
