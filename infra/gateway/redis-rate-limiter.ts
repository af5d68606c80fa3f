// Rate limits shared by every API instance: one Lua script per decision, so a burst spread over several
// instances is admitted exactly up to the limit. Time is Redis's own clock, not any instance's.
import type { Redis } from 'ioredis';
import { defineCommand, type RedisCommand } from '../redis/define-command.js';
import { limiterKeys, streamRetryMs, type AdmitDecision, type AdmitRequest, type LimitName, type LimitScope, type RateLimiter } from '../../domain/gateway/rate-limits.js';

// The same rule as evaluateAdmission in domain/gateway/rate-limits.ts.
const admitScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease, leaseMs, streamRetry = ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
local function bucket(key, cap)
  local v = redis.call('HMGET', key, 'level', 'ts')
  local level, ts = tonumber(v[1]), tonumber(v[2])
  if not level then return cap end
  local elapsed = now - ts
  if elapsed < 0 then elapsed = 0 end
  level = level + elapsed * cap / 60000
  if level > cap then level = cap end
  return level
end
local function wait(level, needed, cap)
  if level >= needed then return 0 end
  return math.ceil((needed - level) * 60000 / cap)
end
local function slotWait(key, limit)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZSCORE', key, lease) then return 0 end
  if redis.call('ZCARD', key) < limit then return 0 end
  return streamRetry
end
local caps = { tonumber(ARGV[1]), tonumber(ARGV[4]), tonumber(ARGV[2]), tonumber(ARGV[5]) }
local levels = { bucket(KEYS[1], caps[1]), bucket(KEYS[4], caps[2]), bucket(KEYS[2], caps[3]), bucket(KEYS[5], caps[4]) }
local waits = {
  wait(levels[1], 1, caps[1]), wait(levels[2], 1, caps[2]), wait(levels[3], 1, caps[3]), wait(levels[4], 1, caps[4]),
  slotWait(KEYS[3], tonumber(ARGV[3])), slotWait(KEYS[6], tonumber(ARGV[6])),
}
local failing, longest = 0, 0
for i = 1, 6 do
  if waits[i] > 0 and failing == 0 then failing = i end
  if waits[i] > longest then longest = waits[i] end
end
local taken = 0
if failing == 0 then
  taken = 1
  redis.call('HSET', KEYS[1], 'level', tostring(levels[1] - 1), 'ts', now)
  redis.call('HSET', KEYS[4], 'level', tostring(levels[2] - 1), 'ts', now)
  redis.call('HSET', KEYS[2], 'level', tostring(levels[3]), 'ts', now)
  redis.call('HSET', KEYS[5], 'level', tostring(levels[4]), 'ts', now)
  for _, key in ipairs({ KEYS[1], KEYS[2], KEYS[4], KEYS[5] }) do redis.call('PEXPIRE', key, 120000) end
  redis.call('ZADD', KEYS[3], now + leaseMs, lease)
  redis.call('ZADD', KEYS[6], now + leaseMs, lease)
  redis.call('PEXPIRE', KEYS[3], leaseMs * 2)
  redis.call('PEXPIRE', KEYS[6], leaseMs * 2)
end
-- Levels are returned in thousandths: Lua numbers become integers on the way out.
return { failing, longest,
  math.floor((levels[1] - taken) * 1000), math.floor((levels[2] - taken) * 1000),
  math.floor(levels[3] * 1000), math.floor(levels[4] * 1000) }
`;

const settleScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = tonumber(ARGV[3])
for i = 1, 2 do
  local key, cap = KEYS[i], tonumber(ARGV[i])
  local v = redis.call('HMGET', key, 'level', 'ts')
  local level, ts = tonumber(v[1]), tonumber(v[2])
  if not level then level, ts = cap, now end
  local elapsed = now - ts
  if elapsed < 0 then elapsed = 0 end
  level = level + elapsed * cap / 60000
  if level > cap then level = cap end
  level = level - tokens
  if level < -cap then level = -cap end
  redis.call('HSET', key, 'level', tostring(level), 'ts', now)
  redis.call('PEXPIRE', key, 120000)
end
redis.call('ZREM', KEYS[3], ARGV[4])
redis.call('ZREM', KEYS[4], ARGV[4])
return 1
`;

const failures: { scope: LimitScope; limit: LimitName }[] = [
  { scope: 'org', limit: 'requests' }, { scope: 'user', limit: 'requests' },
  { scope: 'org', limit: 'tokens' }, { scope: 'user', limit: 'tokens' },
  { scope: 'org', limit: 'concurrent_streams' }, { scope: 'user', limit: 'concurrent_streams' },
];

export class RedisRateLimiter implements RateLimiter {
  private readonly admitCommand: RedisCommand<[number, number, number, number, number, number]>;
  private readonly settleCommand: RedisCommand<number>;

  constructor(redis: Redis) {
    this.admitCommand = defineCommand(redis, 'ragtimeAdmit', { numberOfKeys: 6, lua: admitScript });
    this.settleCommand = defineCommand(redis, 'ragtimeSettle', { numberOfKeys: 4, lua: settleScript });
  }

  async admit(request: AdmitRequest): Promise<AdmitDecision> {
    const keys = limiterKeys(request.orgId, request.userId);
    const { orgLimits: org, userLimits: user } = request;
    const [failing, longest, orgRequests, userRequests, orgTokens, userTokens] = await this.admitCommand(
      keys.orgRequests, keys.orgTokens, keys.orgStreams, keys.userRequests, keys.userTokens, keys.userStreams,
      org.requestsPerMinute, org.tokensPerMinute, org.concurrentStreams,
      user.requestsPerMinute, user.tokensPerMinute, user.concurrentStreams,
      request.leaseId, request.leaseMs, streamRetryMs,
    );
    const requests = snapshot(orgRequests / 1000, org.requestsPerMinute, userRequests / 1000, user.requestsPerMinute);
    const tokens = snapshot(orgTokens / 1000, org.tokensPerMinute, userTokens / 1000, user.tokensPerMinute);
    if (failing === 0) return { allowed: true, requests, tokens };
    return { allowed: false, ...failures[failing - 1]!, retryAfterMs: longest, requests, tokens };
  }

  async settle(request: Parameters<RateLimiter['settle']>[0]): Promise<void> {
    const keys = limiterKeys(request.orgId, request.userId);
    await this.settleCommand(
      keys.orgTokens, keys.userTokens, keys.orgStreams, keys.userStreams,
      request.orgLimits.tokensPerMinute, request.userLimits.tokensPerMinute, request.tokens, request.leaseId,
    );
  }
}

/** The tighter of the org's and the user's bucket, as the client's rate-limit headers report it. */
function snapshot(orgLevel: number, orgCapacity: number, userLevel: number, userCapacity: number) {
  const [level, capacity] = orgLevel / orgCapacity <= userLevel / userCapacity ? [orgLevel, orgCapacity] : [userLevel, userCapacity];
  return { limit: capacity, remaining: Math.max(0, Math.floor(level)), resetMs: level >= capacity ? 0 : Math.ceil(((capacity - level) * 60_000) / capacity) };
}
