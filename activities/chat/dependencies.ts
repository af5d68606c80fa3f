import type { EventStream } from '../../infra/redis/event-stream.js';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import type { ChatModel } from '../../infra/llm/chat-model.js';
import type { Retriever, SafetyScreen, ToolRunner } from '../../domain/chat/ports.js';
import type { Usage } from '../../domain/chat/events.js';
import type { PriceList } from '../../domain/gateway/pricing.js';
import type { RoutingDependencies } from '../routing/routing-dependencies.js';
import type { ToolCallingModel } from '../../domain/tools/model-tool-calls.js';

export interface ChatActivityDependencies {
  events: EventStream;
  conversations: ConversationStore;
  chatModel: ChatModel;
  /** Registry, breakers, latency stats and stall limits; the route activity requires them. */
  routing?: RoutingDependencies;
  /** Absent until the tenant's documents can be searched. */
  retriever?: Retriever;
  safety?: SafetyScreen;
  tools?: ToolRunner;
  /** Asks models that support OpenAI tool calling which tools to call; without it only the planner calls tools. */
  toolCalling?: { model: ToolCallingModel; maxCalls: number; examples: boolean };
  historyTurns: number;
  /** Prices the run's cost for the operator's memo (the gateway's ledger reads the same list). */
  prices?: PriceList;
  /** Charges a settled turn's tokens to its org's and user's rate limits and frees its stream slot. */
  rateLimits?: TurnRateLimits;
  temporalUiUrl: string;
  temporalNamespace: string;
  /** Told when the first answer text of a run is published (time to first token), for metrics. */
  observer?: {
    firstToken(model: string, secondsSinceWorkflowStart: number): void;
    /** A turn's usage was settled (billed): tokens and cost by model and tier. */
    settled?(settlement: { model: string; tier: string; usage: Usage; costMicros: number }): void;
  };
}

export interface TurnRateLimits {
  release(principal: { orgId: string; userId: string; tier: string }, leaseId: string, tokens: number): Promise<void>;
}
