// previous_response_id and item_reference, answered from Ragtime's durable history: the turns the chat-turn
// workflow stored in Postgres. A continued response joins the previous one's conversation, so the chain is one
// conversation (listed by /v1/conversations) and its history is that conversation's stored turns, read here.
// A response made with `store: false` left no turn; asking to continue it is refused with that reason.
import type { Client } from '@temporalio/client';
import type { HistoryMessage } from '../../../domain/chat/chat-request.js';
import type { ConversationStore } from '../../../infra/postgres/conversation-store.js';
import { findChatTurn } from '../../../clients/chat-turns.js';
import { GatewayError } from '../../gateway/gateway-error.js';
import type { ChatMessage, ItemResolver } from './input-messages.js';
import type { ResponsesRequest } from './request-schema.js';
import { requestIdIn } from './response-object.js';

/** Turns read back for a continued conversation: the newest ones, within the chat turn's context bound. */
const historyTurns = 20;

export interface Continuation {
  conversationId: string;
  /** The stored turns before this one, oldest first. */
  history: HistoryMessage[];
}

export interface ContinuationSources {
  conversations: ConversationStore;
  temporal: Client;
}

/**
 * The conversation a response continues and its stored history. Only the latest response of a conversation can be
 * continued (a stored turn holds no link to its parent, so a branch would read its siblings); a retry of this very
 * request (same Idempotency-Key) after it was stored is the one exception, and joins its run.
 */
export async function continuationOf(sources: ContinuationSources, tenantId: string, previousResponseId: string, requestId: string): Promise<Continuation> {
  const previousRequestId = requestIdIn(previousResponseId, 'resp_');
  const previous = previousRequestId ? await sources.conversations.turn(tenantId, previousRequestId) : undefined;
  if (!previous || !previousRequestId) throw await notContinuable(sources.temporal, tenantId, previousResponseId, previousRequestId);
  const latest = await sources.conversations.latestRequestId(tenantId, previous.conversationId);
  if (latest !== previousRequestId && latest !== requestId) {
    throw new GatewayError(400, 'bad_request', `Response '${previousResponseId}' is not the latest of its conversation; only the latest response can be continued (branching is not supported). Send the earlier turns in 'input' instead.`, {}, 'previous_response_id');
  }
  const history = await sources.conversations.history(tenantId, previous.conversationId, historyTurns);
  return { conversationId: previous.conversationId, history };
}

/** Why a response cannot be continued: unknown (or another org's), kept nothing, or still running. */
async function notContinuable(temporal: Client, tenantId: string, previousResponseId: string, previousRequestId: string | undefined): Promise<GatewayError> {
  const run = previousRequestId ? await findChatTurn(temporal, tenantId, previousRequestId) : undefined;
  if (run?.description.memo?.store === false) {
    return new GatewayError(400, 'bad_request', `Response '${previousResponseId}' was created with store: false; nothing of it was kept, so it cannot be continued. Send the earlier turns in 'input' instead.`, {}, 'previous_response_id');
  }
  if (run && run.description.status.name === 'RUNNING') {
    return new GatewayError(409, 'previous_response_in_progress', `Response '${previousResponseId}' is still being generated; continue it once it has completed.`, {}, 'previous_response_id');
  }
  return new GatewayError(400, 'previous_response_not_found', `Previous response with id '${previousResponseId}' not found.`, {}, 'previous_response_id');
}

/** `item_reference` ids Ragtime hands out: msg_<requestId> is the stored answer of that request. */
export function storedItemResolver(conversations: ConversationStore, tenantId: string): ItemResolver {
  return async (id): Promise<ChatMessage | undefined> => {
    const requestId = requestIdIn(id, 'msg_');
    const turn = requestId ? await conversations.turn(tenantId, requestId) : undefined;
    return turn ? { role: 'assistant', content: turn.answer } : undefined;
  };
}

/** Stored turns as chat messages, ahead of the request's own input. */
export function historyMessages(history: HistoryMessage[]): ChatMessage[] {
  return history.map((message) => ({ role: message.role, content: message.content }));
}

/**
 * A stored turn keeps its answer's text, not the function calls it made: a tool result continuing a previous
 * response must come with the call it answers (the function_call item, as the AI SDK and agents send it).
 */
export function refuseStatelessToolResults(body: Pick<ResponsesRequest, 'input'>): void {
  if (typeof body.input === 'string') return;
  const called = new Set(body.input.flatMap((item) => (item.type === 'function_call' ? [item.call_id] : [])));
  const index = body.input.findIndex((item) => item.type === 'function_call_output' && !called.has(item.call_id));
  if (index >= 0) {
    throw new GatewayError(400, 'bad_request', "A function_call_output continuing a previous response needs its function_call item in 'input' too: Ragtime's stored turns keep the answer's text, not its function calls.", {}, `input[${index}]`);
  }
}
