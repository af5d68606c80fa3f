import { Context } from '@temporalio/activity';
import type { Citation } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { screenUntrusted } from './untrusted-text.js';

export interface RetrieveInput {
  workflowId: string;
  tenantId: string;
  question: string;
}

export function createRetrieveActivity(deps: ChatActivityDependencies) {
  return async function retrieve(input: RetrieveInput): Promise<Citation[]> {
    if (!deps.retriever) return [];
    const found = await deps.retriever.search(input.tenantId, input.question, { signal: Context.current().cancellationSignal });
    const screened: Citation[] = [];
    for (const citation of found) {
      const snippet = await screenUntrusted(deps.safety, input.tenantId, citation.snippet);
      if (snippet !== undefined) screened.push({ ...citation, index: screened.length + 1, snippet });
    }
    await deps.events.publish(input.workflowId, { type: 'retrieval.citations', dedupeKey: 'retrieval.citations', data: { citations: screened } });
    return screened;
  };
}
