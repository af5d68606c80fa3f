import { Context } from '@temporalio/activity';
import type { ToolOutput } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { screenUntrusted } from './untrusted-text.js';

export interface RunToolsInput {
  workflowId: string;
  tenantId: string;
  question: string;
  tools: string[];
}

export function createRunToolsActivity(deps: ChatActivityDependencies) {
  return async function runTools(input: RunToolsInput): Promise<ToolOutput[]> {
    const runner = deps.tools;
    if (!runner || input.tools.length === 0) return [];
    const signal = Context.current().cancellationSignal;
    const raw = await Promise.all(input.tools.map((tool) => runner.run(input.tenantId, tool, input.question, { signal })));
    const outputs: ToolOutput[] = [];
    for (const output of raw) {
      const content = await screenUntrusted(deps.safety, input.tenantId, output.content);
      if (content !== undefined) outputs.push({ ...output, content });
    }
    for (const output of outputs) {
      await deps.events.publish(input.workflowId, { type: 'tool.result', dedupeKey: `tool.result:${output.tool}`, data: { ...output } });
    }
    return outputs;
  };
}
