// The client's contract: events published per request to a Redis Stream and relayed over the WebSocket.
// Names are noun.action. `seq` starts at 1 and increases by one per event of a request. `ChatEvent` is a
// union discriminated by `type`: narrowing on the type gives the event's `data` its shape.
//
// Who publishes each type (one owner each; a fusion turn has no generate step, so its fusion activities and
// the workflow stand in for generate there):
//   plan                 activities/chat/plan.ts
//   retrieval.citations  activities/chat/retrieve.ts: the screened passages, or none and why once retrieval failed for good
//   tool.result          activities/chat/run-tools.ts: the screened output, or why there is none (withheld, or failed for good)
//   model.selected       activities/chat/generate.ts before the first token; for a fusion, workflows/chat-turn.ts
//                        (through publishEvent) before its child starts
//   model.failover       activities/chat/generate.ts
//   answer.delta         activities/chat/generate.ts (AnswerLog); for a fusion, activities/fusion/publish-answer.ts
//   answer.tool_call     activities/chat/generate.ts
//   answer.logprobs      activities/chat/generate.ts
//   safety.redaction     activities/chat/generate.ts; for a fusion, activities/fusion/publish-answer.ts
//   answer.done          activities/chat/answer-done.ts (sent by postSafety for a turn nothing reads once stored,
//                        else by persist)
//   error                workflows/chat-turn.ts (through publishEvent): failures, cancellations and refusals
import type { Citation, Plan, ToolCall } from './chat-request.js';
import type { TokenLogprob } from './model-request.js';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** What the output policy took out: categories and reasons, never the matched text. */
export interface Redaction {
  category: string;
  detail: string;
}

/** The planner's decision. */
export interface PlanEventData {
  mode: Plan['mode'];
  retrieval: boolean;
  /** The planned calls' tool names. */
  tools: string[];
  toolCalls: ToolCall[];
  reason: string;
  historyTurns: number;
}

/** The passages the answer may cite (screened), or none and why retrieval was skipped. */
export interface RetrievalCitationsEventData {
  citations: Citation[];
  skipped?: string;
}

/** One tool call's output as the client sees it, or why there is none. */
export type ToolResultEventData = { callId: string; tool: string; arguments: Record<string, unknown> } & (
  | { title: string | undefined; source: string; content: string }
  | { error: string }
);

export interface ModelSelectedEventData {
  model: string;
  reason: string;
  fallbacks: string[];
  /** A fusion request: the models asked. */
  fusion?: string[];
}

/** The serving endpoint failed; the next one continues the answer from `offset`. */
export interface ModelFailoverEventData {
  from: string;
  fromEndpoint: string;
  to: string;
  toEndpoint: string;
  reason: string;
  offset: number;
}

export interface AnswerDeltaEventData {
  text: string;
  /** Where `text` starts in the answer. */
  offset: number;
}

/** A fragment of a client tool call: `index`, `offset` in its arguments, `arguments`; `id` and `name` first. */
export interface AnswerToolCallEventData {
  index: number;
  id?: string;
  name?: string;
  arguments: string;
  offset: number;
}

/** The answer's token log probabilities (asked with `logprobs`), once, after the last delta; withheld when redacted. */
export type AnswerLogprobsEventData = { content: TokenLogprob[] } | { content: null; withheld: 'redacted' };

/** The output policy redacted (or blocked) text at `offset` of the answer, or of tool call `toolCallIndex`'s arguments. */
export interface SafetyRedactionEventData {
  offset: number;
  blocked: boolean;
  redactions: Redaction[];
  toolCallIndex?: number;
}

export interface AnswerDoneEventData {
  workflowId: string;
  conversationId: string;
  model?: string | undefined;
  usage: Usage;
  /** How many sources the answer could cite. */
  citations: number;
  temporalUiUrl: string;
  /** The turn's trace when tracing is on. */
  traceId?: string;
  /**
   * Sent before the turn is stored (a turn nothing reads once stored), when the whole-answer check changed what was
   * streamed: the answer as kept (lines restating the source list taken out), so a client that answers in one
   * piece needs no stored turn.
   */
  answer?: string;
  /** As `answer`: every client tool call's arguments as kept, when the whole check redacted one of them. */
  toolArguments?: string[];
}

export interface ErrorEventData {
  code: ErrorCode | (string & {});
  message: string;
  workflowId?: string;
  /** A refused request: the safety policy's reasons. */
  reasons?: string[];
}

/** Each event type's `data`. */
export interface ChatEventData {
  plan: PlanEventData;
  'retrieval.citations': RetrievalCitationsEventData;
  'tool.result': ToolResultEventData;
  'model.selected': ModelSelectedEventData;
  'model.failover': ModelFailoverEventData;
  'answer.delta': AnswerDeltaEventData;
  'answer.tool_call': AnswerToolCallEventData;
  'answer.logprobs': AnswerLogprobsEventData;
  'safety.redaction': SafetyRedactionEventData;
  'answer.done': AnswerDoneEventData;
  error: ErrorEventData;
}

export type ChatEventType = keyof ChatEventData;

/** A published event of one type. */
export type ChatEventOf<T extends ChatEventType> = { seq: number; type: T; data: ChatEventData[T] };

export type ChatEvent = { [T in ChatEventType]: ChatEventOf<T> }[ChatEventType];

export const terminalEventTypes: readonly ChatEventType[] = ['answer.done', 'error'];

/** An event about to be published (deltas go through appendDelta). `dedupeKey` makes a retried publish a no-op. */
export type OutgoingEvent = { [T in Exclude<ChatEventType, 'answer.delta'>]: { type: T; data: ChatEventData[T]; dedupeKey: string } }[Exclude<ChatEventType, 'answer.delta'>];

export type ErrorCode =
  | 'bad_request'
  | 'unknown_message_type'
  | 'message_too_large'
  | 'invalid_json'
  | 'not_found'
  | 'cancelled'
  | 'model_unavailable'
  /** The answer was served (and charged) but could not be stored. */
  | 'persist_failed'
  | 'internal';
