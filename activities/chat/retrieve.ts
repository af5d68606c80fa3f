import { Context } from '@temporalio/activity';
import type { Citation } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface RetrieveInput {
  workflowId: string;
  tenantId: string;
  question: string;
}

export function createRetrieveActivity(deps: ChatActivityDependencies) {
  return async function retrieve(input: RetrieveInput): Promise<Citation[]> {
    if (!deps.retriever) return [];
    const citations = await deps.retriever.search(input.tenantId, input.question, { signal: Context.current().cancellationSignal });
    await deps.events.publish(input.workflowId, { type: 'retrieval.citations', dedupeKey: 'retrieval.citations', data: { citations } });
    return citations;
  };
}
