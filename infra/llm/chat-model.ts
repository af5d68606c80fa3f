// The streaming chat port that every model provider implements.
import type { ChatMessage } from '../../domain/chat/prompt.js';
import type { Usage } from '../../domain/chat/events.js';
import type { ProviderKind } from '../../domain/routing/model-registration.js';
import type { Sampling } from '../../domain/chat/chat-request.js';
import type { GenerationOptions, TokenLogprob } from '../../domain/chat/model-request.js';

/** The client's sampling settings (domain/chat/chat-request.ts), sent to the model server as given. */
export interface ChatStreamRequest extends Sampling {
  /** Which protocol the endpoint speaks; OpenAI-compatible when absent. */
  provider?: ProviderKind;
  baseUrl: string;
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  /** The client's function tools and output format. */
  generation?: GenerationOptions;
  /** Text the assistant already produced; the model continues it instead of starting over. */
  assistantPrefix?: string;
  signal?: AbortSignal;
}

export type ChatStreamChunk =
  /** `logprobs` when the request asked for them: the tokens of this delta. */
  | { type: 'delta'; text: string; logprobs?: TokenLogprob[] }
  /** A fragment of a tool call: `index` names the call; `id` and `name` come with its first fragment. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments: string }
  | { type: 'finish'; reason: string }
  | { type: 'usage'; usage: Usage };

export interface ChatModel {
  stream(request: ChatStreamRequest): AsyncIterable<ChatStreamChunk>;
}
