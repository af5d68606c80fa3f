// Circuit breakers per model endpoint, shared by every worker through Redis. Each transition is one Lua
// script, timed by the Redis server's clock, so workers never race or disagree about time:
//   closed ── N consecutive failures ──▶ open ── cool-down elapsed, one caller acquires ──▶ half_open
//   half_open ── probe succeeds ──▶ closed;  half_open ── probe fails ──▶ open (new cool-down)
// While half-open, the probe holds a lease; other callers are turned away until it reports or expires.
import type { Redis } from 'ioredis';
import { defineCommand, type RedisCommand } from '../redis/define-command.js';
import type { BreakerSnapshot, BreakerState, CircuitBreakers } from '../../domain/routing/ports.js';

const now = `local clock = redis.call('TIME') local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

const acquireScript = `${now}
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return 1 end
if now < tonumber(redis.call('HGET', KEYS[1], 'retry_at') or '0') then return 0 end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'retry_at', now + tonumber(ARGV[1]))
return 1
`;

const failureScript = `${now}
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local retry_at = 0
if state ~= 'closed' or failures >= tonumber(ARGV[1]) then
  state = 'open'
  retry_at = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'state', state, 'retry_at', retry_at)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {state, failures, retry_at}
`;

const successScript = `
redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', 0, 'retry_at', 0)
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

const openAmongScript = `${now}
local open = {}
for index, key in ipairs(KEYS) do
  local state = redis.call('HGET', key, 'state') or 'closed'
  if state ~= 'closed' and now < tonumber(redis.call('HGET', key, 'retry_at') or '0') then open[#open + 1] = index end
end
return open
`;

export interface CircuitBreakerSettings {
  /** Consecutive failures (errors or timeouts) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit turns requests away before a probe may try. */
  openMs: number;
  /** How long a half-open probe holds its lease before another caller may probe. */
  probeLeaseMs: number;
}

/** Breaker state of an endpoint nobody has used for a day is forgotten. */
const stateTtlSeconds = 86_400;

export class RedisCircuitBreakers implements CircuitBreakers {
  private readonly acquireCommand: RedisCommand<number>;
  private readonly failureCommand: RedisCommand<[BreakerState, number, number]>;
  private readonly successCommand: RedisCommand<number>;
  /** The key count comes first: the script is given every endpoint's key. */
  private readonly openAmongCommand: RedisCommand<number[]>;

  constructor(private readonly redis: Redis, private readonly settings: CircuitBreakerSettings) {
    this.acquireCommand = defineCommand(redis, 'ragtimeBreakerAcquire', { numberOfKeys: 1, lua: acquireScript });
    this.failureCommand = defineCommand(redis, 'ragtimeBreakerFailure', { numberOfKeys: 1, lua: failureScript });
    this.successCommand = defineCommand(redis, 'ragtimeBreakerSuccess', { numberOfKeys: 1, lua: successScript });
    this.openAmongCommand = defineCommand(redis, 'ragtimeBreakerOpenAmong', { lua: openAmongScript });
  }

  async openAmong(endpoints: string[]): Promise<Set<string>> {
    const distinct = [...new Set(endpoints)];
    if (distinct.length === 0) return new Set();
    const indexes = await this.openAmongCommand(distinct.length, ...distinct.map(breakerKey));
    return new Set(indexes.map((index) => distinct[index - 1]!));
  }

  async acquire(endpoint: string): Promise<boolean> {
    return (await this.acquireCommand(breakerKey(endpoint), this.settings.probeLeaseMs)) === 1;
  }

  async recordSuccess(endpoint: string): Promise<void> {
    await this.successCommand(breakerKey(endpoint), stateTtlSeconds);
  }

  async recordFailure(endpoint: string): Promise<BreakerSnapshot> {
    const [state, failures, retryAt] = await this.failureCommand(
      breakerKey(endpoint), this.settings.failureThreshold, this.settings.openMs, stateTtlSeconds,
    );
    return { state, consecutiveFailures: failures, ...(retryAt ? { retryAt } : {}) };
  }

  async snapshot(endpoint: string): Promise<BreakerSnapshot> {
    const fields = await this.redis.hgetall(breakerKey(endpoint));
    const retryAt = Number(fields.retry_at ?? 0);
    return { state: (fields.state as BreakerState | undefined) ?? 'closed', consecutiveFailures: Number(fields.failures ?? 0), ...(retryAt ? { retryAt } : {}) };
  }
}

function breakerKey(endpoint: string): string {
  return `breaker:${endpoint}`;
}
