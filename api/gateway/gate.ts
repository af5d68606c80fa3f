// The gate every LLM request passes: rate limits (Redis, per user and org), then the org's monthly budget
// (a reservation of the estimated cost), then the call; afterwards the reservation is settled with what
// the model served and that usage is charged to the tokens-per-minute buckets. A chat turn is settled by its
// own workflow (the reservation travels in its input, see `billingOf`); the gate settles only what it served
// itself (embeddings, cache hits) and expires reservations whose workflow never started.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { TurnBilling } from '../../domain/chat/chat-request.js';
import type { Principal } from '../../domain/gateway/principal.js';
import { costMicros, estimateTokens, type PriceList, type TokenUsage } from '../../domain/gateway/pricing.js';
import type { AdmitDecision, RateLimiter } from '../../domain/gateway/rate-limits.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { RateLimiterUnavailable } from '../../infra/gateway/fallback-rate-limiter.js';
import type { TierLimits } from '../../infra/gateway/gateway-config.js';
import type { Endpoint, Settlement, UsageLedger } from '../../infra/gateway/usage-ledger.js';
import { GatewayError } from './gateway-error.js';

export interface GateRequest {
  requestId: string;
  endpoint: Endpoint;
  /** The model asked for; the default model when absent. */
  model?: string;
  /** The text sent to the model, for the estimate. */
  promptText: string;
  maxTokens: number;
  /** A cached answer costs nothing: no estimate is reserved. */
  cached?: boolean;
  /** Model calls the request makes (a fusion asks several models): the estimate is reserved for each. */
  calls?: number;
}

export interface Admission {
  principal: Principal;
  requestId: string;
  endpoint: Endpoint;
  model: string;
  estimatedPromptTokens: number;
  estimatedMicros: number;
  /** Rate-limit headers for the response. */
  headers: Record<string, string>;
}

export interface GateOptions {
  limiter: RateLimiter;
  ledger: UsageLedger;
  prices: PriceList;
  tiers: TierLimits;
  temporal: Client;
  leaseMs: number;
  defaultModel: string;
  logger: FastifyBaseLogger;
  /** Told about refusals and settlements, for metrics; labels stay bounded (scope, model, tier). */
  observer?: GateObserver;
}

export interface GateObserver {
  rateLimited(scope: 'tenant' | 'user'): void;
  settled(settlement: { model: string; tier: string; usage: TokenUsage; costMicros: number; cached: boolean }): void;
}

/** The reservation a chat workflow settles when it stores its turn. */
export function billingOf(admission: Admission): TurnBilling {
  return {
    reservationId: admission.requestId,
    userId: admission.principal.userId,
    tier: admission.principal.tier,
    estimatedPromptTokens: admission.estimatedPromptTokens,
    estimatedMicros: admission.estimatedMicros,
  };
}

export class Gate {
  constructor(private readonly options: GateOptions) {}

  /**
   * Admits the request or throws a GatewayError (429, 402, 503) carrying the rate-limit headers. The rate
   * limits and the budget reservation are independent, so both run at once; whichever refuses undoes the other.
   */
  async admit(principal: Principal, request: GateRequest): Promise<Admission> {
    const limits = this.options.tiers[principal.tier];
    const model = request.model ?? this.options.defaultModel;
    const estimatedPromptTokens = estimateTokens(request.promptText);
    const estimatedMicros = request.cached ? 0 : (request.calls ?? 1) * costMicros(await this.options.prices.priceOf(model), { promptTokens: estimatedPromptTokens, completionTokens: request.maxTokens });
    const [limited, reserved] = await Promise.allSettled([
      this.options.limiter.admit({
        orgId: principal.orgId, userId: principal.userId, orgLimits: limits.org, userLimits: limits.user,
        leaseId: request.requestId, leaseMs: this.options.leaseMs,
      }),
      this.options.ledger.reserve({
        orgId: principal.orgId, requestId: request.requestId, userId: principal.userId, endpoint: request.endpoint,
        model, estimatedMicros, budgetMicros: principal.monthlyBudgetMicros,
      }),
    ]);
    const admission: Admission = { principal, requestId: request.requestId, endpoint: request.endpoint, model, estimatedPromptTokens, estimatedMicros, headers: {} };
    const decision = limited.status === 'fulfilled' ? limited.value : undefined;
    const budget = reserved.status === 'fulfilled' ? reserved.value : undefined;
    if (decision?.allowed && budget && budget !== 'budget_exhausted') return { ...admission, headers: rateLimitHeaders(decision) };

    // Refused or failed: undo whichever half succeeded (a duplicate's reservation belongs to the first submit).
    if (budget === 'reserved') await this.abandon(admission);
    else if (decision?.allowed) await this.release(principal, request.requestId, 0);
    if (limited.status === 'rejected') {
      if (limited.reason instanceof RateLimiterUnavailable) throw new GatewayError(503, 'rate_limiter_unavailable', 'Rate limits cannot be checked right now; try again shortly.', { 'retry-after': '1' });
      throw limited.reason;
    }
    const headers = rateLimitHeaders(decision!);
    if (!decision!.allowed) {
      this.options.observer?.rateLimited(decision!.scope === 'org' ? 'tenant' : 'user');
      const retryAfter = Math.max(1, Math.ceil(decision!.retryAfterMs / 1000));
      const what = decision!.limit === 'concurrent_streams' ? 'concurrent streams' : `${decision!.limit} per minute`;
      throw new GatewayError(429, 'rate_limit_exceeded', `Rate limit reached for ${what} (${decision!.scope}); retry after ${retryAfter} s.`,
        { ...headers, 'retry-after': String(retryAfter) });
    }
    if (reserved.status === 'rejected') throw reserved.reason;
    throw new GatewayError(402, 'budget_exhausted', "The organization's monthly budget is exhausted; an administrator can raise it.", headers);
  }

  /** The call never started: its reservation and stream slot are given back, nothing is recorded. */
  async abandon(admission: Admission): Promise<void> {
    await this.options.ledger.cancel(admission.principal.orgId, admission.requestId);
    await this.release(admission.principal, admission.requestId, 0);
  }

  /** Settles with usage the gateway saw itself (embeddings, cache hits). */
  async settle(admission: Admission, result: Omit<Settlement, 'orgId' | 'requestId' | 'costMicros'>): Promise<void> {
    const cost = result.cached ? 0 : costMicros(await this.options.prices.priceOf(result.model), result.usage);
    const settled = await this.options.ledger.settle({ ...result, orgId: admission.principal.orgId, requestId: admission.requestId, costMicros: cost });
    if (settled) this.options.observer?.settled({ model: result.model, tier: admission.principal.tier, usage: result.usage, costMicros: cost, cached: !!result.cached });
    // Only the settling call charges tokens: a duplicate submit that joined the run pays nothing twice.
    const tokens = settled && !result.cached ? result.usage.promptTokens + result.usage.completionTokens : 0;
    await this.release(admission.principal, admission.requestId, tokens);
  }

  /**
   * Expires reservations nobody will settle: an embeddings call whose instance stopped before settling, and a
   * chat request whose workflow never started. A chat workflow settles its own reservation (in `persist`); one
   * that ended without settling (terminated by an operator) is closed at zero cost and logged.
   */
  async sweep(olderThanSeconds: number, principalOf: (orgId: string, userId: string) => Promise<Principal | undefined>): Promise<number> {
    let expired = 0;
    for (const stale of await this.options.ledger.staleReservations(olderThanSeconds, 100)) {
      const principal = await principalOf(stale.orgId, stale.userId);
      if (!principal) continue;
      const admission: Admission = { principal, requestId: stale.requestId, endpoint: stale.endpoint, model: stale.model, estimatedPromptTokens: 0, estimatedMicros: 0, headers: {} };
      if (stale.endpoint !== 'embeddings') {
        const workflowId = chatWorkflowId(stale.orgId, stale.requestId);
        const status = await this.workflowStatus(workflowId);
        if (status === 'RUNNING') continue;
        if (status !== 'NOT_FOUND') {
          this.options.logger.error({ workflowId, status }, 'a chat workflow ended without settling its usage; closing the reservation at zero cost');
          await this.settle(admission, { model: stale.model, usage: { promptTokens: 0, completionTokens: 0 }, outcome: status.toLowerCase(), cached: false, usageSource: 'model' });
          expired += 1;
          continue;
        }
      }
      // The request never ran (its workflow never started) or its answer was never seen: nothing to charge.
      await this.abandon(admission);
      expired += 1;
    }
    return expired;
  }

  private async workflowStatus(workflowId: string): Promise<string> {
    try {
      return (await this.options.temporal.workflow.getHandle(workflowId).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw error;
    }
  }

  private async release(principal: Principal, leaseId: string, tokens: number): Promise<void> {
    const limits = this.options.tiers[principal.tier];
    try {
      await this.options.limiter.settle({ orgId: principal.orgId, userId: principal.userId, orgLimits: limits.org, userLimits: limits.user, leaseId, tokens });
    } catch (error) {
      // The slot's lease expires on its own; the tokens of this one answer go uncharged.
      this.options.logger.warn({ err: error, orgId: principal.orgId }, 'could not charge tokens or free a stream slot');
    }
  }
}

/** OpenAI's rate-limit headers, for the tighter of the user's and the org's buckets. */
function rateLimitHeaders(decision: AdmitDecision): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(decision.requests.limit),
    'x-ratelimit-remaining-requests': String(decision.requests.remaining),
    'x-ratelimit-reset-requests': `${Math.ceil(decision.requests.resetMs / 1000)}s`,
    'x-ratelimit-limit-tokens': String(decision.tokens.limit),
    'x-ratelimit-remaining-tokens': String(decision.tokens.remaining),
    'x-ratelimit-reset-tokens': `${Math.ceil(decision.tokens.resetMs / 1000)}s`,
  };
}
