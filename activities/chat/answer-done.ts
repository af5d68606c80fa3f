// The terminal answer.done event, in one place: persist sends it after storing a conversation turn, and the
// output check sends it as soon as the answer of a turn nothing reads once stored (a chat completion) is final
// and safe (storing that turn follows), with what its whole-answer check changed in the streamed answer.
import type { AnswerDoneEventData, Usage } from '../../domain/chat/events.js';
import type { ChatActivityDependencies } from './dependencies.js';

/** What answer.done tells the client about its finished turn. */
export interface AnswerDone {
  workflowId: string;
  conversationId: string;
  model?: string;
  usage: Usage;
  /** How many sources the answer could cite. */
  citations: number;
}

/** What the whole-answer check changed in the streamed answer (only sent before the turn is stored). */
export type KeptAnswer = Pick<AnswerDoneEventData, 'answer' | 'toolArguments'>;

/** Publishes answer.done once (its dedupe key makes a retried or replayed call a no-op). */
export async function publishAnswerDone(deps: ChatActivityDependencies, done: AnswerDone, kept: KeptAnswer = {}): Promise<void> {
  const traceId = deps.traceId?.();
  await deps.events.publish(done.workflowId, {
    type: 'answer.done',
    dedupeKey: 'answer.done',
    data: {
      workflowId: done.workflowId,
      conversationId: done.conversationId,
      model: done.model,
      usage: done.usage,
      citations: done.citations,
      temporalUiUrl: `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.temporalNamespace)}/workflows/${encodeURIComponent(done.workflowId)}`,
      // The trace of this turn (API → workflow → activities → model call) when tracing is on.
      ...(traceId ? { traceId } : {}),
      ...kept,
    },
  });
}
