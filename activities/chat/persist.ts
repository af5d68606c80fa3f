import type { EndpointUsage, TurnBilling } from '../../domain/chat/chat-request.js';
import type { Usage } from '../../domain/chat/events.js';
import { costMicros } from '../../domain/gateway/pricing.js';
import { RecordRejected } from '../../domain/chat/errors.js';
import { RagtimeError } from '../../domain/errors.js';
import { toApplicationFailure } from '../application-failure.js';
import type { ModelCall, Settlement, TurnRecord } from '../../domain/chat/ports.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { publishAnswerDone } from './answer-done.js';

/** A turn as it is stored, with the reservation it settles; persisting it again changes nothing. */
export type PersistInput = TurnRecord & {
  billing?: TurnBilling;
  /** What each endpoint served (a failover or a fusion has several), each charged at its own price. */
  usageByEndpoint?: EndpointUsage[];
  /** `false`: the client asked to keep nothing; the usage is settled, the turn is not stored. */
  store?: false;
  /** answer.done already went out (the output check sent it): storing the turn tells the client nothing more. */
  announced?: boolean;
};

/** The stable code a client receives when its turn could not be stored. */
export const persistFailedCode = 'persist_failed';

/**
 * Stores the turn and settles the usage reservation in one transaction, then tells the client the answer is
 * done (unless that was told already). A turn that can never be stored (Postgres refuses its data) is still charged what was served, and the
 * failure is non-retryable so the client hears of it at once.
 */
export function createPersistActivity(deps: ChatActivityDependencies) {
  return async function persist(input: PersistInput): Promise<void> {
    const { billing, usageByEndpoint, store, announced: _announced, ...record } = input;
    const turn = { ...record, usage: await servedUsage(deps, record) };
    const charge = billing ? await chargeOf(deps, turn, billing, usageByEndpoint) : undefined;
    let settled: boolean;
    try {
      settled = store === false
        ? (charge ? await deps.conversations.settleUsage(charge) : false)
        : await deps.conversations.saveTurn(turn, charge);
    } catch (error) {
      if (!(error instanceof RecordRejected)) throw error;
      settled = charge ? await deps.conversations.settleUsage(charge) : false;
      if (settled) await afterSettling(deps, turn, billing!, charge!);
      throw toApplicationFailure(new RagtimeError(persistFailedCode, 'The answer could not be stored.', { cause: error.cause }));
    }
    if (settled) await afterSettling(deps, turn, billing!, charge!);
    // A stateless client's turn was announced by the output check already (see workflows/chat-turn.ts).
    if (input.outcome !== 'completed' || input.announced) return;
    await publishAnswerDone(deps, { workflowId: input.workflowId, conversationId: input.conversationId, model: input.model, usage: input.usage, citations: input.citations.length });
  };
}

/**
 * A cancelled or failed run has no usage report. Normally generate reported the tokens the model served with
 * its failure and the workflow passes them here; when it could not (its worker died while cancelling), the
 * completion is counted from the answer deltas already in the event stream, a lower bound.
 */
async function servedUsage(deps: ChatActivityDependencies, input: TurnRecord): Promise<Usage> {
  if (input.outcome === 'completed' || input.usage.completionTokens > 0) return input.usage;
  const events = await deps.events.range(input.workflowId, 0);
  return { promptTokens: input.usage.promptTokens, completionTokens: events.filter((event) => event.type === 'answer.delta').length };
}

/**
 * The ledger entry for the turn. An interrupted stream has no usage report: its completion was counted from
 * the stream, and the model read the prompt, charged at the gate's estimate.
 */
async function chargeOf(deps: ChatActivityDependencies, turn: TurnRecord, billing: TurnBilling, byEndpoint: EndpointUsage[] | undefined): Promise<Settlement> {
  const usage = { ...turn.usage };
  let usageSource: Settlement['usageSource'] = 'model';
  if (turn.outcome !== 'completed' && usage.completionTokens > 0 && usage.promptTokens === 0) {
    usage.promptTokens = billing.estimatedPromptTokens;
    usageSource = 'stream';
  }
  const model = turn.model ?? byEndpoint?.at(-1)?.model ?? 'unknown';
  const parts: (Usage & Partial<EndpointUsage> & { model: string })[] = byEndpoint && byEndpoint.length > 0 && usageSource === 'model' ? byEndpoint : [{ model, ...usage }];
  // One ledger entry per model call: a failed-over endpoint's, each fusion answer's, or the one call's.
  const calls: ModelCall[] = [];
  for (const [index, part] of parts.entries()) {
    const price = deps.prices ? await deps.prices.priceOf(part.model) : undefined;
    calls.push({
      model: part.model,
      ...(part.baseUrl ? { endpoint: part.baseUrl } : {}),
      usage: { promptTokens: part.promptTokens, completionTokens: part.completionTokens },
      costMicros: price ? costMicros(price, part) : 0,
      ...(part.latencyMs !== undefined ? { latencyMs: part.latencyMs } : {}),
      outcome: part.failed ? 'failed' : part.answered || index === parts.length - 1 ? turn.outcome : 'failed_over',
    });
  }
  const cost = calls.reduce((sum, call) => sum + call.costMicros, 0);
  return { orgId: turn.tenantId, requestId: billing.reservationId, model, usage, costMicros: cost, cached: false, outcome: turn.outcome, usageSource, calls };
}

/**
 * After this call settled the turn: counts it in the metrics, charges the served tokens to the tokens-per-minute
 * buckets and frees the stream slot (best effort: the slot's lease expires anyway).
 */
async function afterSettling(deps: ChatActivityDependencies, turn: TurnRecord, billing: TurnBilling, charge: Settlement): Promise<void> {
  deps.observer?.settled?.({ model: charge.model, tier: billing.tier, usage: charge.usage, costMicros: charge.costMicros });
  if (!deps.rateLimits) return;
  try {
    await deps.rateLimits.release({ orgId: turn.tenantId, userId: billing.userId, tier: billing.tier }, billing.reservationId, charge.usage.promptTokens + charge.usage.completionTokens);
  } catch {
    // The lease expires on its own; the tokens of this one answer go uncharged.
  }
}
