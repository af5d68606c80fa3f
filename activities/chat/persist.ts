import type { Usage } from '../../domain/chat/events.js';
import type { TurnRecord } from '../../infra/postgres/conversation-store.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { activeTraceId } from '../../infra/tracing/trace-id.js';

/** A turn as it is stored; persisting it again with the same request id changes nothing. */
export type PersistInput = TurnRecord;

/** Stores the turn, then tells the client the answer is done. Both are idempotent. */
export function createPersistActivity(deps: ChatActivityDependencies) {
  return async function persist(input: PersistInput): Promise<void> {
    await deps.conversations.saveTurn({ ...input, usage: await servedUsage(deps, input) });
    if (input.outcome !== 'completed') return;
    const traceId = activeTraceId();
    await deps.events.publish(input.workflowId, {
      type: 'answer.done',
      dedupeKey: 'answer.done',
      data: {
        workflowId: input.workflowId,
        conversationId: input.conversationId,
        model: input.model,
        usage: input.usage,
        citations: input.citations.length,
        temporalUiUrl: `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.temporalNamespace)}/workflows/${encodeURIComponent(input.workflowId)}`,
        // The trace of this turn (API → workflow → activities → model call) when tracing is on.
        ...(traceId ? { traceId } : {}),
      },
    });
  };
}

/**
 * A cancelled or failed run has no usage report. Normally generate reported the tokens the model served with
 * its failure and the workflow passes them here; when it could not (its worker died while cancelling), the
 * completion is counted from the answer deltas already in the event stream, a lower bound.
 */
async function servedUsage(deps: ChatActivityDependencies, input: PersistInput): Promise<Usage> {
  if (input.outcome === 'completed' || input.usage.completionTokens > 0) return input.usage;
  const events = await deps.events.range(input.workflowId, 0);
  return { promptTokens: input.usage.promptTokens, completionTokens: events.filter((event) => event.type === 'answer.delta').length };
}
