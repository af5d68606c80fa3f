// A Responses request restated as the chat completion request the gateway already serves: the same
// validation, refusals and mapping onto a chat turn apply to both APIs. Errors raised on the chat side are
// renamed to the Responses field the client actually sent.
import { GatewayError } from '../../gateway/gateway-error.js';
import type { ChatCompletionRequest } from '../chat-completion-request.js';
import type { ChatMessage } from './input-messages.js';
import type { ResponsesRequest, ResponsesTextFormat, ResponsesTool } from './request-schema.js';

export function chatRequestOf(body: ResponsesRequest, messages: ChatMessage[]): ChatCompletionRequest {
  const format = body.text?.format;
  const request: Record<string, unknown> = {
    model: body.model,
    messages,
    ...(body.max_output_tokens != null ? { max_completion_tokens: body.max_output_tokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(body.tools?.length ? { tools: body.tools.map(chatToolOf) } : {}),
    ...(body.tool_choice != null ? { tool_choice: typeof body.tool_choice === 'string' ? body.tool_choice : { type: 'function', function: { name: body.tool_choice.name } } } : {}),
    ...(body.parallel_tool_calls != null && body.tools?.length ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(format && format.type !== 'text' ? { response_format: responseFormatOf(format) } : {}),
    ...(body.user !== undefined ? { user: body.user } : {}),
  };
  return request as ChatCompletionRequest;
}

function chatToolOf(tool: ResponsesTool) {
  return {
    type: 'function' as const,
    function: {
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    },
  };
}

function responseFormatOf(format: Exclude<ResponsesTextFormat, { type: 'text' }>) {
  if (format.type === 'json_object') return { type: 'json_object' as const };
  return {
    type: 'json_schema' as const,
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description != null ? { description: format.description } : {}),
      ...(format.strict != null ? { strict: format.strict } : {}),
    },
  };
}

const responsesParams: Record<string, string> = {
  messages: 'input',
  max_completion_tokens: 'max_output_tokens',
  max_tokens: 'max_output_tokens',
  response_format: 'text.format',
  tool_choice: 'tool_choice',
};

/** Runs a chat-side step; a refusal naming a chat field names the Responses field instead. */
export function asResponsesError<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw renamed(error);
  }
}

export async function asResponsesErrorAsync<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw renamed(error);
  }
}

/** Message positions differ between the two shapes (instructions, stored turns), so `messages.3.x` becomes `input`. */
function renamed(error: unknown): unknown {
  if (!(error instanceof GatewayError) || error.param === null) return error;
  const name = error.param.split('.')[0]!;
  const param = responsesParams[name];
  if (!param) return error;
  const message = error.message.replaceAll(`'${name}'`, `'${param}'`).replace(/^The last message/, 'The last input item');
  return new GatewayError(error.statusCode, error.code, message, error.headers, param);
}
