import { Context } from '@temporalio/activity';
import type { Citation } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { screenUntrusted } from './untrusted-text.js';
import { failureMessage, isFinalFailure } from './final-failure.js';
import { toApplicationFailure } from '../application-failure.js';

export interface RetrieveInput {
  workflowId: string;
  tenantId: string;
  question: string;
}

/**
 * Searches the tenant's documents and screens the passages (untrusted text). Owns `retrieval.citations`: the
 * screened passages, or, once retrieval failed for good, none and why.
 */
export function createRetrieveActivity(deps: ChatActivityDependencies) {
  return async function retrieve(input: RetrieveInput): Promise<Citation[]> {
    if (!deps.retriever) return [];
    const retriever = deps.retriever;
    let screened: Citation[];
    try {
      const found = await retriever.search(input.tenantId, input.question, { signal: Context.current().cancellationSignal });
      screened = [];
      for (const citation of found) {
        const snippet = await screenUntrusted(deps.safety, input.tenantId, citation.snippet);
        if (snippet !== undefined) screened.push({ ...citation, index: screened.length + 1, snippet });
      }
    } catch (error) {
      // Not tried again: the turn goes on without documents, and the client is told why.
      if (isFinalFailure(error)) {
        await deps.events.publish(input.workflowId, { type: 'retrieval.citations', dedupeKey: 'retrieval.citations', data: { citations: [], skipped: failureMessage(error, 'retrieval failed') } });
      }
      // Thrown as the failure Temporal acts on, so a retry happens exactly when isFinalFailure said it would.
      throw toApplicationFailure(error);
    }
    await deps.events.publish(input.workflowId, { type: 'retrieval.citations', dedupeKey: 'retrieval.citations', data: { citations: screened } });
    return screened;
  };
}
