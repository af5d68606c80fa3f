import type { EventStream } from '../../infra/redis/event-stream.js';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import type { ChatModel } from '../../infra/llm/chat-model.js';
import type { ModelCatalog, Retriever, SafetyScreen, ToolRunner } from '../../domain/chat/ports.js';
import type { RoutingDependencies } from '../routing/routing-dependencies.js';

export interface ChatActivityDependencies {
  events: EventStream;
  conversations: ConversationStore;
  chatModel: ChatModel;
  models: ModelCatalog;
  /** Registry, breakers, latency stats and stall limits; the route activity requires them. */
  routing?: RoutingDependencies;
  /** Absent until the tenant's documents can be searched. */
  retriever?: Retriever;
  safety?: SafetyScreen;
  tools?: ToolRunner;
  historyTurns: number;
  temporalUiUrl: string;
  temporalNamespace: string;
  /** Told when the first answer text of a run is published (time to first token), for metrics. */
  observer?: { firstToken(model: string, secondsSinceWorkflowStart: number): void };
}
