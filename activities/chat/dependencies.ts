// What the chat activities depend on: ports (domain/chat/ports.ts, domain/routing/ports.ts) that the worker
// fills with adapters from infra/.
import type { ChatModel, ConversationStore, EventLog, Retriever, SafetyScreen, ToolRunner, TraceIdProvider } from '../../domain/chat/ports.js';
import type { Usage } from '../../domain/chat/events.js';
import type { PriceList } from '../../domain/gateway/pricing.js';
import type { RoutingDependencies } from './routing-dependencies.js';
import type { ToolCallingModel } from '../../domain/tools/model-tool-calls.js';

export interface ChatActivityDependencies {
  events: EventLog;
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
  /** The active trace's id, carried in answer.done when tracing is on. */
  traceId?: TraceIdProvider;
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
