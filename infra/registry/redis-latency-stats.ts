// Exponentially weighted moving averages of time to first token and time per token, per model endpoint,
// updated atomically in Redis from every real call so all workers route on the same measurements.
import type { Redis } from 'ioredis';
import { defineCommand, type RedisCommand } from '../redis/define-command.js';
import type { LatencySample, LatencyStats } from '../../domain/routing/ports.js';
import { latencyKey, type LatencyEstimate } from '../../domain/routing/routing-policy.js';

const recordScript = `
local alpha = tonumber(ARGV[1])
local function update(field, value)
  if value == '' then return end
  local old = redis.call('HGET', KEYS[1], field)
  local next = tonumber(value)
  if old then next = tonumber(old) + alpha * (next - tonumber(old)) end
  redis.call('HSET', KEYS[1], field, tostring(next))
end
update('ttft_ms', ARGV[2])
update('ms_per_token', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'samples', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** Weight of the newest sample: about the last ten calls count. */
const smoothing = 0.2;
const statsTtlSeconds = 7 * 86_400;

export class RedisLatencyStats implements LatencyStats {
  private readonly recordCommand: RedisCommand<number>;

  constructor(private readonly redis: Redis) {
    this.recordCommand = defineCommand(redis, 'ragtimeLatencyRecord', { numberOfKeys: 1, lua: recordScript });
  }

  async record(model: string, endpoint: string, sample: LatencySample): Promise<void> {
    await this.recordCommand(statsKey(model, endpoint), smoothing, Math.round(sample.ttftMs), sample.msPerToken === undefined ? '' : sample.msPerToken.toFixed(2), statsTtlSeconds);
  }

  async estimates(targets: { model: string; endpoint: string }[]): Promise<Map<string, LatencyEstimate>> {
    const estimates = new Map<string, LatencyEstimate>();
    if (targets.length === 0) return estimates;
    const pipeline = this.redis.pipeline();
    for (const target of targets) pipeline.hgetall(statsKey(target.model, target.endpoint));
    const replies = (await pipeline.exec()) ?? [];
    targets.forEach((target, index) => {
      const fields = replies[index]?.[1] as Record<string, string> | undefined;
      if (!fields?.samples) return;
      estimates.set(latencyKey(target.model, target.endpoint), {
        ttftMs: Number(fields.ttft_ms ?? 0),
        msPerToken: Number(fields.ms_per_token ?? 0),
        samples: Number(fields.samples),
      });
    });
    return estimates;
  }
}

function statsKey(model: string, endpoint: string): string {
  return `latency:${latencyKey(model, endpoint)}`;
}
