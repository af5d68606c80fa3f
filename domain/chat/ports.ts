// Ports the chat turn depends on. Adapters implement them in infra/; workers wire them.
import type { ChatOutcome, Citation, HistoryMessage, SafetyVerdict, Sampling, ToolCall, ToolOutput } from './chat-request.js';
import type { ChatEvent, OutgoingEvent, Usage } from './events.js';
import type { GenerationOptions, TokenLogprob } from './model-request.js';
import type { ChatMessage } from './prompt.js';
import type { ProviderKind } from '../routing/model-registration.js';
import type { ModelAccess } from '../routing/model-access.js';
import type { TokenUsage } from '../gateway/pricing.js';

/** A streaming chat model; every provider implements it. Failures are ModelErrors (domain/chat/errors.ts). */
export interface ChatModel {
  stream(request: ChatStreamRequest): AsyncIterable<ChatStreamChunk>;
}

/** The client's sampling settings (chat-request.ts), sent to the model server as given. */
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

/** One answer delta as the event log holds it. */
export interface PublishedDelta {
  seq: number;
  offset: number;
  text: string;
}

/**
 * The request's event log, as the chat turn writes it (the client reads it through the relay). Every event gets
 * the next seq; a publish with a dedupe key already used is a no-op; deltas append at an exact offset.
 */
export interface EventLog {
  /** Publishes a non-delta event once, with a seq above `minSeq`; returns its seq (the original one when repeated). */
  publish(workflowId: string, event: OutgoingEvent, minSeq?: number): Promise<number>;
  /** Appends answer text at `offset`; throws StreamOffsetConflict when the log is elsewhere. Returns its seq. */
  appendDelta(workflowId: string, offset: number, text: string, minSeq?: number): Promise<number>;
  /** The answer text already delivered, rebuilt from its deltas. */
  emittedText(workflowId: string): Promise<string>;
  /** The answer deltas, in order. */
  deltas(workflowId: string): Promise<PublishedDelta[]>;
  /** Puts back deltas the log lost under their seqs; moves its offset to `textLength` and its seq to at least `highWater`. */
  restore(workflowId: string, deltas: PublishedDelta[], textLength: number, highWater: number): Promise<number>;
  /** Events with seq > afterSeq. */
  range(workflowId: string, afterSeq: number): Promise<ChatEvent[]>;
}

/** A turn as it is stored. */
export interface TurnRecord {
  tenantId: string;
  conversationId: string;
  requestId: string;
  workflowId: string;
  question: string;
  answer: string;
  model?: string;
  outcome: ChatOutcome;
  usage: Usage;
  citations: Citation[];
}

/** The usage ledger's entry for a settled request: what was served, at what cost, by which calls. */
export interface Settlement {
  orgId: string;
  requestId: string;
  model: string;
  usage: TokenUsage;
  costMicros: number;
  cached: boolean;
  outcome: string;
  usageSource: 'model' | 'stream' | 'cache';
  /** Each model call that served the request, one ledger entry each (absent: none, e.g. a cache hit). */
  calls?: ModelCall[];
}

/** One model call of a request, as the call ledger records it. */
export interface ModelCall {
  model: string;
  endpoint?: string;
  usage: TokenUsage;
  costMicros: number;
  /** The call's own duration when measured. */
  latencyMs?: number;
  outcome: string;
}

/** Conversations as the chat turn reads and writes them, with the usage ledger the turn settles. */
export interface ConversationStore {
  /** The last `limit` completed turns of a conversation, oldest first, as chat messages. */
  history(tenantId: string, conversationId: string, limit: number): Promise<HistoryMessage[]>;
  /**
   * Stores a turn once and settles its usage in the same transaction; true when this call settled it. A turn
   * the store refuses for its data fails with RecordRejected (domain/chat/errors.ts).
   */
  saveTurn(turn: TurnRecord, charge?: Settlement): Promise<boolean>;
  /** Settles usage on its own, for a turn that cannot be stored; true when this call settled it. */
  settleUsage(charge: Settlement): Promise<boolean>;
}

/** The trace id of the span the caller runs in, when tracing is on. */
export type TraceIdProvider = () => string | undefined;

export interface Retriever {
  /** Whether the tenant has anything indexed (lets the planner skip retrieval). */
  hasDocuments(tenantId: string): Promise<boolean>;
  /** Best passages for the question, tenant filter always applied, numbered from 1. */
  search(tenantId: string, question: string, options: { signal?: AbortSignal }): Promise<Citation[]>;
}

export type SafetyStage = 'input' | 'untrusted' | 'output';

/** Screens text under the tenant's safety policy. */
export interface SafetyScreen {
  check(tenantId: string, text: string, stage: SafetyStage): Promise<SafetyVerdict>;
  /** A filter for the answer stream: releases only text that is safe to publish. */
  outputFilter(tenantId: string): Promise<OutputFilter>;
}

export interface OutputFilter {
  push(delta: string): FilteredOutput;
  end(): FilteredOutput;
}

export interface FilteredOutput {
  text: string;
  /** What was redacted (or blocked) in `text`: categories and reasons, never the matched text. */
  redactions: { category: string; detail: string }[];
  blocked: boolean;
}

/** A tool as a tool-calling model sees it (the OpenAI `function` object). */
export interface ToolSpecification {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** Requests the tool serves, with the arguments a call should carry. */
  examples?: readonly { request: string; arguments: Record<string, unknown> }[];
}

/** The tools of a tenant. Failures are ToolErrors, whose `retryable` tells the activity whether to retry. */
export interface ToolRunner {
  /** Tools the tenant may use: configured on this deployment and enabled for the tenant. */
  available(tenantId: string): Promise<ToolSpecification[]>;
  /** Whether a call passes the tool's own checks without running it (arguments, URL on the allow-list). */
  accepts(call: Pick<ToolCall, 'tool' | 'arguments'>): boolean;
  run(tenantId: string, call: ToolCall, options: { signal?: AbortSignal }): Promise<ToolOutput>;
}

export interface ModelEndpoint {
  model: string;
  baseUrl: string;
  provider?: ProviderKind;
}

/** The models the API offers: the registry the workers route with, seen through a tier (see model-access.ts). */
export interface ModelCatalog {
  /** Ready models the tier may use, in the registry's order. */
  modelsFor(tier: string): Promise<ModelEndpoint[]>;
  /** Whether the tier may request the model now (a disabled one only through a ready fallback). */
  access(model: string, tier: string): Promise<ModelAccess>;
}
