import type { HistoryMessage, Plan } from './chat-request.js';

export interface PlannerContext {
  /** Whether the tenant has an index to retrieve from. */
  retrievalAvailable: boolean;
  /** Tools enabled for the tenant. */
  availableTools: string[];
  history: HistoryMessage[];
}

const smallTalk = /^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening)|bye|goodbye)\b[\s!.?]*$/i;
const arithmetic = /(\d+(\.\d+)?\s*[-+*/^%]\s*\d+(\.\d+)?)|\b(calculate|compute|sqrt|square root)\b/i;
const webIntent = /\b(latest|today|news|current(ly)?|this week)\b/i;

/**
 * Decides, without a model call, what the turn needs: small talk goes straight to the model, questions go
 * through retrieval when the tenant has documents, and tools are picked by clear intent.
 */
export function planTurn(question: string, context: PlannerContext): Plan {
  const tools: string[] = [];
  if (arithmetic.test(question) && context.availableTools.includes('calculator')) tools.push('calculator');
  if (webIntent.test(question) && context.availableTools.includes('web_search')) tools.push('web_search');

  if (smallTalk.test(question)) {
    return { mode: 'direct', useRetrieval: false, tools: [], reason: 'small talk', history: context.history };
  }
  if (!context.retrievalAvailable) {
    return { mode: 'direct', useRetrieval: false, tools, reason: 'no documents indexed for tenant', history: context.history };
  }
  return { mode: 'rag', useRetrieval: true, tools, reason: 'question answered from documents', history: context.history };
}
