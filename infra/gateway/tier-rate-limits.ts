// Frees a request's stream slot and charges its tokens to the tokens-per-minute buckets of its org and user,
// at the limits of their tier: what the chat workflow does when it settles a turn.
import type { RateLimiter } from '../../domain/gateway/rate-limits.js';
import type { TierLimits } from './gateway-config.js';

export class TierRateLimits {
  constructor(private readonly limiter: RateLimiter, private readonly tiers: TierLimits) {}

  async release(principal: { orgId: string; userId: string; tier: string }, leaseId: string, tokens: number): Promise<void> {
    const limits = this.tiers[principal.tier as keyof TierLimits] ?? this.tiers.free;
    await this.limiter.settle({ orgId: principal.orgId, userId: principal.userId, orgLimits: limits.org, userLimits: limits.user, leaseId, tokens });
  }
}
