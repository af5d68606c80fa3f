// One chat turn relayed to an HTTP client as server-sent events: the skeleton the three streamed routes (chat
// completions, responses, fusion) share. The run's events are read from the feed until a terminal one; a client
// that leaves before then cancels the run; an error event, a run that closed without an answer and an interrupted
// stream all reach the client as the route's own failure; the stream is always closed. Each route only says how
// its events look.
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { Client } from '@temporalio/client';
import type { EventFeed } from '../../domain/chat/event-feed.js';
import { terminalEventTypes, type ChatEvent } from '../../domain/chat/events.js';
import { cancelChatTurn, chatTurnClosed } from '../../clients/chat-turns.js';

/** A failed answer as the client is told: a code and a message that is safe to show. */
export interface TurnFailure {
  code: string;
  message: string;
}

/** Writes to the open stream in SSE framing. */
export interface SseWriter {
  /** `data: <JSON>` */
  data(value: unknown): void;
  /** `event: <type>` then `data: <JSON>` */
  event(type: string, value: unknown): void;
  /** Text already framed (`data: [DONE]`). */
  raw(text: string): void;
}

/** How one route shows a turn's events. */
export interface SseTurnRoute {
  /** Right after the stream opens, before any event. */
  start?(): void;
  /** Every event of the run but `error`, in order (answer.done is the last). */
  event(event: ChatEvent): void;
  /** The safety policy blocked the input or the answer (an `error` event with code `blocked`, the last event). */
  blocked(): void;
  /** The answer failed: an `error` event, a run that closed without an answer, or an interrupted stream. */
  fail(failure: TurnFailure): void;
  /** After answer.done or a block, before the stream closes. */
  end?(): Promise<void>;
}

export interface SseRelayDependencies {
  feed: EventFeed;
  temporal: Client;
  log: FastifyBaseLogger;
}

export interface SseTurn {
  reply: FastifyReply;
  headers: Record<string, string>;
  workflowId: string;
  /** What is streamed, for the log line of an interrupted stream ('a completion'). */
  name: string;
}

/** Takes over the reply: status 200 and the SSE headers, written at once. */
export function openEventStream(reply: FastifyReply, headers: Record<string, string>) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return raw;
}

/** Settles when the stream is closed; failures are the client's failure events, never thrown. */
export async function relayTurnAsSse(deps: SseRelayDependencies, turn: SseTurn, routeOf: (writer: SseWriter) => SseTurnRoute): Promise<void> {
  const { workflowId } = turn;
  const raw = openEventStream(turn.reply, turn.headers);
  const controller = new AbortController();
  let ended = false;
  // A client that hangs up before the answer is done stops the run; it is charged what was generated until then.
  raw.once('close', () => {
    controller.abort();
    if (!ended) cancelChatTurn(deps.temporal, workflowId);
  });
  const route = routeOf({
    data: (value) => raw.write(`data: ${JSON.stringify(value)}\n\n`),
    event: (type, value) => raw.write(`event: ${type}\ndata: ${JSON.stringify(value)}\n\n`),
    raw: (text) => raw.write(text),
  });
  route.start?.();
  try {
    let answered = false;
    const events = deps.feed.follow(workflowId, 0, { signal: controller.signal, runClosed: () => chatTurnClosed(deps.temporal, workflowId) });
    for await (const event of events) {
      if (terminalEventTypes.includes(event.type)) ended = true;
      if (event.type !== 'error') {
        route.event(event);
        answered ||= event.type === 'answer.done';
      } else if (event.data.code === 'blocked') {
        route.blocked();
        answered = true;
      } else {
        route.fail({ code: event.data.code, message: event.data.message });
      }
    }
    if (answered) await route.end?.();
    else if (!ended && !controller.signal.aborted) route.fail({ code: 'answer_failed', message: 'The request ended without an answer.' });
  } catch (error) {
    deps.log.error({ err: error, workflowId }, `streaming ${turn.name} failed`);
    route.fail({ code: 'internal', message: 'The stream was interrupted.' });
  } finally {
    ended = true;
    raw.end();
  }
}
