import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ToolCall, ToolOutput } from '../../domain/chat/chat-request.js';
import { ToolError } from '../../domain/tools/tool.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { screenUntrusted } from './untrusted-text.js';
import { failureMessage, isFinalFailure } from './final-failure.js';
import { toApplicationFailure } from '../application-failure.js';

export interface RunToolsInput {
  workflowId: string;
  tenantId: string;
  /** One call per activity, so each call is its own step in the history, retried on its own. */
  call: ToolCall;
}

/**
 * Runs one tool call. Its output is untrusted text: screened like retrieved passages, then published as a
 * `tool.result` event and returned for the prompt (null when the safety policy withholds it). A ToolError
 * decides the retry: a timeout or an unreachable upstream is retried, a refusal or bad arguments are not.
 * Owns `tool.result`: the screened output, or why there is none (withheld, or the call failed for good).
 */
export function createRunToolsActivity(deps: ChatActivityDependencies) {
  return async function runTools(input: RunToolsInput): Promise<ToolOutput | null> {
    const { call } = input;
    const described = { callId: call.id, tool: call.tool, arguments: call.arguments };
    let output: ToolOutput;
    try {
      output = await run(deps, input);
    } catch (error) {
      // Not tried again: the turn goes on without this tool's output, and the client is told why.
      if (isFinalFailure(error)) {
        await deps.events.publish(input.workflowId, { type: 'tool.result', dedupeKey: `tool.result:${call.id}`, data: { ...described, error: failureMessage(error, 'the tool failed') } });
      }
      // Thrown as the failure Temporal acts on, so a retry happens exactly when isFinalFailure said it would.
      throw toApplicationFailure(error);
    }
    const content = await screenUntrusted(deps.safety, input.tenantId, output.content);
    if (content === undefined) {
      await deps.events.publish(input.workflowId, { type: 'tool.result', dedupeKey: `tool.result:${call.id}`, data: { ...described, error: 'withheld by the safety policy' } });
      return null;
    }
    const screened: ToolOutput = { ...output, content };
    await deps.events.publish(input.workflowId, {
      type: 'tool.result',
      dedupeKey: `tool.result:${call.id}`,
      data: { ...described, title: screened.title, source: screened.source, content },
    });
    return screened;
  };
}

async function run(deps: ChatActivityDependencies, input: RunToolsInput): Promise<ToolOutput> {
  if (!deps.tools) throw ApplicationFailure.nonRetryable('no tools are configured on this worker', 'tool_refused');
  try {
    return await deps.tools.run(input.tenantId, input.call, { signal: Context.current().cancellationSignal });
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    throw ApplicationFailure.create({ message: error.message, type: `tool_${error.code}`, nonRetryable: !error.retryable });
  }
}
