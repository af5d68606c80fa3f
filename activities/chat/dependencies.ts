import type { EventStream } from '../../infra/redis/event-stream.js';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import type { ChatModel } from '../../infra/llm/chat-model.js';
import type { ModelCatalog, Retriever, SafetyScreen, ToolRunner } from '../../domain/chat/ports.js';

export interface ChatActivityDependencies {
  events: EventStream;
  conversations: ConversationStore;
  chatModel: ChatModel;
  models: ModelCatalog;
  /** Absent until the tenant's documents can be searched. */
  retriever?: Retriever;
  safety?: SafetyScreen;
  tools?: ToolRunner;
  historyTurns: number;
  temporalUiUrl: string;
  temporalNamespace: string;
}
