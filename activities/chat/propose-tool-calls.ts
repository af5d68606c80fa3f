import { Context } from '@temporalio/activity';
import type { HistoryMessage, ToolCall } from '../../domain/chat/chat-request.js';
import type { ProviderKind } from '../../domain/routing/model-registration.js';
import { selectProposedCalls, toolChoiceMessages, type ToolCallSelection } from '../../domain/tools/model-tool-calls.js';
import { toApplicationFailure } from '../application-failure.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface ProposeToolCallsInput {
  workflowId: string;
  tenantId: string;
  model: string;
  baseUrl: string;
  provider?: ProviderKind;
  /** The question after the input safety check, and the conversation so far: trusted text only. */
  question: string;
  history: HistoryMessage[];
  /** Calls the planner already made; the model's are added to them, not repeated. */
  planned: ToolCall[];
}

export interface ToolCallProposal extends ToolCallSelection {
  model: string;
}

/**
 * Asks the routed model, which the registry says supports tool calling, which of the tenant's tools to call.
 * The answer (calls and what was dropped) is the activity's result, so the decision is in the history; each
 * call then runs as its own runTools activity.
 */
export function createProposeToolCallsActivity(deps: ChatActivityDependencies) {
  return async function proposeToolCalls(input: ProposeToolCallsInput): Promise<ToolCallProposal> {
    const none: ToolCallProposal = { model: input.model, calls: [], dropped: [] };
    const runner = deps.tools;
    const calling = deps.toolCalling;
    if (!runner || !calling || (input.provider && input.provider !== 'openai-compatible')) return none;
    const tools = await runner.available(input.tenantId);
    if (tools.length === 0) return none;
    let proposed;
    try {
      proposed = await calling.model.proposeToolCalls({
        baseUrl: input.baseUrl,
        model: input.model,
        messages: toolChoiceMessages(input.question, input.history, tools, calling.examples),
        tools,
        signal: Context.current().cancellationSignal,
      });
    } catch (error) {
      // A ModelError keeps its code (model_error) and says whether a retry can help; the turn goes on without.
      throw toApplicationFailure(error);
    }
    const selection = selectProposedCalls(proposed, {
      offered: tools.map((tool) => tool.name),
      planned: input.planned,
      maxCalls: calling.maxCalls,
      accepts: (call) => runner.accepts(call),
      trustedText: [...input.history.map((message) => message.content), input.question].join('\n'),
    });
    return { model: input.model, ...selection };
  };
}
