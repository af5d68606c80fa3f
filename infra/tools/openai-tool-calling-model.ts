// Asks an OpenAI-compatible server (vLLM, llama.cpp with a tool-aware chat template, OpenAI) which tools to
// call: one non-streaming chat completion with `tools` and `tool_choice: "auto"` at temperature 0. A model
// that writes its call as the whole answer's JSON instead (Qwen2.5 through llama.cpp) is read by
// toolCallsInText. No retries here: the activity's retry policy is the one retry layer.
import { ModelError } from '../../domain/chat/errors.js';
import { postToModel } from '../llm/post-to-model.js';
import { toolCallsInText } from '../../domain/tools/text-tool-call.js';
import type { ProposedToolCall, ToolCallingModel, ToolChoiceMessage, ToolChoiceRequest } from '../../domain/tools/model-tool-calls.js';

interface CompletionResponse {
  choices?: { message?: { content?: string | null; tool_calls?: { function?: { name?: string; arguments?: unknown } }[] | null } }[];
}

export class OpenAIToolCallingModel implements ToolCallingModel {
  constructor(private readonly options: { apiKey?: string; maxTokens?: number; fetch?: typeof fetch } = {}) {}

  async proposeToolCalls(request: ToolChoiceRequest): Promise<ProposedToolCall[]> {
    const body = {
      model: request.model,
      messages: request.messages.map(wireMessage),
      tools: request.tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
      tool_choice: 'auto',
      temperature: 0,
      max_tokens: this.options.maxTokens ?? 128,
      stream: false,
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await postToModel({ url: `${request.baseUrl}/chat/completions`, headers, body, signal: request.signal, server: 'model server', fetch: this.options.fetch });
    let parsed: CompletionResponse;
    try {
      parsed = await response.json() as CompletionResponse;
    } catch {
      throw new ModelError('model server sent a malformed completion', true);
    }
    const message = parsed.choices?.[0]?.message;
    const calls = message?.tool_calls ?? [];
    if (calls.length === 0 && typeof message?.content === 'string') return toolCallsInText(message.content, request.tools) ?? [];
    return calls
      .filter((call) => typeof call.function?.name === 'string')
      .map((call) => ({ tool: call.function!.name!, arguments: parseArguments(call.function!.arguments) }));
  }
}

/** OpenAI sends arguments as a JSON string; some servers send the object itself. */
function parseArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function wireMessage(message: ToolChoiceMessage, index: number): Record<string, unknown> {
  if (!message.toolCalls?.length) return { role: message.role, content: message.content };
  return {
    role: 'assistant',
    content: message.content,
    tool_calls: message.toolCalls.map((call, position) => ({
      id: `example-${index}-${position}`,
      type: 'function',
      function: { name: call.tool, arguments: JSON.stringify(call.arguments) },
    })),
  };
}
