// The sources a chat turn's answer may cite, gathered after the plan: retrieved passages and tool outputs
// (the planner's calls, then those a tool-calling model adds). Each step publishes its own event; a step
// that fails for good leaves its source out and the turn goes on.
import { isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ChatActivities } from '../activities/chat/index.js';
import type { ChatTurnInput, Citation, ModelChoice, Plan, ToolCall, ToolOutput } from '../domain/chat/chat-request.js';
import * as presets from './activity-options.js';
import { failureCause } from './failures.js';

const { retrieve } = proxyLocalActivities<ChatActivities>(presets.retrieveOptions);
const { runTools } = proxyActivities<ChatActivities>(presets.toolsOptions);
const { proposeToolCalls } = proxyActivities<ChatActivities>(presets.toolCallOptions);

export interface Gathered {
  citations: Citation[];
  /** Why there are no documents, when retrieval failed. */
  skipped?: string;
}

/** Retrieval and the planned tool calls, side by side. */
export function gatherSources(workflowId: string, input: ChatTurnInput, decided: Plan): Promise<[Gathered, ToolOutput[]]> {
  return Promise.all([
    decided.useRetrieval ? retrieveOrSkip(workflowId, input) : Promise.resolve<Gathered>({ citations: [] }),
    decided.tools.length > 0 ? runToolCalls(workflowId, input.tenantId, decided.tools) : Promise.resolve([] as ToolOutput[]),
  ]);
}

async function retrieveOrSkip(workflowId: string, input: ChatTurnInput): Promise<Gathered> {
  try {
    return { citations: await retrieve({ workflowId, tenantId: input.tenantId, question: input.question }) };
  } catch (error) {
    if (isCancellation(error)) throw error;
    // retrieve told the client (its retrieval.citations); the prompt says why there are no documents.
    const cause = failureCause(error);
    return { citations: [], skipped: cause instanceof Error && cause.message ? cause.message : 'retrieval failed' };
  }
}

/** Each call is its own runTools activity; a call that fails (runTools reports it as its tool.result) is left out. */
async function runToolCalls(workflowId: string, tenantId: string, calls: ToolCall[]): Promise<ToolOutput[]> {
  const outputs = await Promise.all(calls.map(async (call) => {
    try {
      return await runTools({ workflowId, tenantId, call });
    } catch (error) {
      if (isCancellation(error)) throw error;
      return null;
    }
  }));
  return outputs.filter((output): output is ToolOutput => output !== null);
}

/** Asks the routed model which tools to call, then runs them; without an answer from it the turn goes on without. */
export async function modelToolCalls(
  workflowId: string,
  tenantId: string,
  choice: Pick<ModelChoice, 'model' | 'baseUrl' | 'provider'>,
  question: string,
  decided: Pick<Plan, 'history' | 'tools'>,
): Promise<ToolOutput[]> {
  let calls: ToolCall[];
  try {
    ({ calls } = await proposeToolCalls({ workflowId, tenantId, model: choice.model, baseUrl: choice.baseUrl, provider: choice.provider, question, history: decided.history, planned: decided.tools }));
  } catch (error) {
    if (isCancellation(error)) throw error;
    return [];
  }
  return calls.length > 0 ? runToolCalls(workflowId, tenantId, calls) : [];
}
