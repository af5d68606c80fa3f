// One streaming port for every provider: requests go to the adapter of the endpoint's protocol.
import type { ProviderKind } from '../../domain/routing/model-registration.js';
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from '../../domain/chat/ports.js';

export class ProviderChatModel implements ChatModel {
  constructor(private readonly adapters: Record<ProviderKind, ChatModel>) {}

  stream(request: ChatStreamRequest): AsyncIterable<ChatStreamChunk> {
    return this.adapters[request.provider ?? 'openai-compatible'].stream(request);
  }
}
