// The per-instance limiter the gate falls back to when Redis is unreachable: the same rule, in memory.
import { charge, evaluateAdmission, limiterKeys, refill, type AdmitDecision, type AdmitRequest, type BucketState, type LimiterState, type RateLimiter } from '../../domain/gateway/rate-limits.js';

export class LocalRateLimiter implements RateLimiter, LimiterState {
  private readonly buckets = new Map<string, BucketState>();
  private readonly streams = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  async admit(request: AdmitRequest): Promise<AdmitDecision> {
    return evaluateAdmission(this, request, this.now());
  }

  async settle(request: Parameters<RateLimiter['settle']>[0]): Promise<void> {
    const keys = limiterKeys(request.orgId, request.userId);
    const nowMs = this.now();
    for (const [key, capacity] of [[keys.orgTokens, request.orgLimits.tokensPerMinute], [keys.userTokens, request.userLimits.tokensPerMinute]] as const) {
      const current = refill(this.buckets.get(key), capacity, nowMs);
      this.buckets.set(key, { level: charge(current.level, request.tokens, capacity), updatedAtMs: current.updatedAtMs });
    }
    this.streams.get(keys.orgStreams)?.delete(request.leaseId);
    this.streams.get(keys.userStreams)?.delete(request.leaseId);
  }

  bucket(key: string): BucketState | undefined {
    return this.buckets.get(key);
  }

  setBucket(key: string, state: BucketState): void {
    this.buckets.set(key, state);
  }

  leases(key: string, nowMs: number): Map<string, number> {
    let leases = this.streams.get(key);
    if (!leases) this.streams.set(key, (leases = new Map()));
    for (const [id, expiresAtMs] of leases) if (expiresAtMs <= nowMs) leases.delete(id);
    return leases;
  }
}
