// The client's contract: events published per request to a Redis Stream and relayed over the WebSocket.
// Names are noun.action. `seq` starts at 1 and increases by one per event of a request.

export type ChatEventType =
  | 'plan'
  | 'retrieval.citations'
  | 'tool.result'
  | 'model.selected'
  | 'model.failover'
  | 'answer.delta'
  /** A fragment of a client tool call: `index`, `offset` in its arguments, `arguments`; `id` and `name` first. */
  | 'answer.tool_call'
  /** The answer's token log probabilities (asked with `logprobs`), once, after the last delta; withheld when redacted. */
  | 'answer.logprobs'
  | 'safety.redaction'
  | 'answer.done'
  | 'error';

export const terminalEventTypes: readonly ChatEventType[] = ['answer.done', 'error'];

export interface ChatEvent {
  seq: number;
  type: ChatEventType;
  data: Record<string, unknown>;
}

/** An event about to be published. `dedupeKey` makes a retried publish a no-op. */
export interface OutgoingEvent {
  type: Exclude<ChatEventType, 'answer.delta'>;
  data: Record<string, unknown>;
  dedupeKey: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

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
