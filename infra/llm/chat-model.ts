// The streaming chat port that every model provider implements.
import type { ChatMessage } from '../../domain/chat/prompt.js';
import type { Usage } from '../../domain/chat/events.js';
import type { ProviderKind } from '../../domain/routing/model-registration.js';

export interface ChatStreamRequest {
  /** Which protocol the endpoint speaks; OpenAI-compatible when absent. */
  provider?: ProviderKind;
  baseUrl: string;
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Text the assistant already produced; the model continues it instead of starting over. */
  assistantPrefix?: string;
  signal?: AbortSignal;
}

export type ChatStreamChunk =
  | { type: 'delta'; text: string }
  | { type: 'finish'; reason: string }
  | { type: 'usage'; usage: Usage };

export interface ChatModel {
  stream(request: ChatStreamRequest): AsyncIterable<ChatStreamChunk>;
}
