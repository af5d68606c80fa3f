import { planTurn } from '../../domain/chat/planner.js';
import type { Plan } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PlanInput {
  workflowId: string;
  tenantId: string;
  conversationId: string;
  question: string;
}

export function createPlanActivity(deps: ChatActivityDependencies) {
  return async function plan(input: PlanInput): Promise<Plan> {
    const [history, retrievalAvailable, availableTools] = await Promise.all([
      deps.conversations.history(input.tenantId, input.conversationId, deps.historyTurns),
      deps.retriever ? deps.retriever.hasDocuments(input.tenantId) : Promise.resolve(false),
      deps.tools ? deps.tools.available(input.tenantId) : Promise.resolve([]),
    ]);
    const tools = deps.tools;
    const decided = planTurn(input.question, {
      retrievalAvailable,
      availableTools: availableTools.map((tool) => tool.name),
      history,
      ...(tools ? { accepts: (call) => tools.accepts(call) } : {}),
    });
    await deps.events.publish(input.workflowId, {
      type: 'plan',
      dedupeKey: 'plan',
      data: { mode: decided.mode, retrieval: decided.useRetrieval, tools: decided.tools.map((call) => call.tool), toolCalls: decided.tools, reason: decided.reason, historyTurns: history.length / 2 },
    });
    return decided;
  };
}
