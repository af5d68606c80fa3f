// The answer of a turn nothing reads once stored (a chat completion, a response kept nowhere) for a route that
// answers in one piece, as soon as it is final and safe: read from the run's events up to answer.done, which the
// output check publishes before the turn is stored. Storing the turn and settling its charge follow in the run,
// durably, whatever happens to this request. A refusal is answered from its event; any other failure, and an
// event stream that ends without an answer (expired, unreadable), wait for the run's own result, so the client
// sees the same answer or error as before.
//
// Why the events and not a Temporal Update or query: the output check and persist are local activities of one
// workflow task, and what an Update returns (or a query sees) leaves with that task's completion, after persist;
// splitting the task would cost every turn a server round trip and more history. The events are published anyway
// (the streamed routes relay the same feed), so reading them costs one blocking Redis read per batch and no
// Temporal call.
import type { FastifyReply } from 'fastify';
import { AnswerAssembly, type FinalAnswer } from '../../domain/chat/answer-assembly.js';
import { cancelChatTurn, chatTurnClosed } from '../../clients/chat-turns.js';
import { resultOrFailure } from './admitted-turn.js';
import type { SseRelayDependencies } from './sse-relay.js';

const refused: FinalAnswer = { outcome: 'blocked', answer: '', usage: { promptTokens: 0, completionTokens: 0 } };

/** The turn's final answer; a failure is thrown as the HTTP error the client sees. */
export async function finalAnswerFor(deps: SseRelayDependencies, reply: FastifyReply, workflowId: string): Promise<FinalAnswer> {
  const controller = new AbortController();
  let final = false;
  // A client that hangs up before its answer is final stops the run (it is charged what was generated until
  // then); once the answer is final, the run goes on to store the turn.
  reply.raw.once('close', () => {
    controller.abort();
    if (!final && !reply.raw.writableFinished) cancelChatTurn(deps.temporal, workflowId);
  });
  const assembly = new AnswerAssembly();
  try {
    const events = deps.feed.follow(workflowId, 0, { signal: controller.signal, runClosed: () => chatTurnClosed(deps.temporal, workflowId) });
    for await (const event of events) {
      if (event.type === 'answer.done') {
        final = true;
        return assembly.done(event.data);
      }
      if (event.type === 'error') {
        if (event.data.code !== 'blocked') break;
        final = true;
        return refused;
      }
      assembly.add(event);
    }
  } catch (error) {
    deps.log.warn({ err: error, workflowId }, 'reading the answer from its events failed; waiting for the run');
  }
  return resultOrFailure(deps.temporal, workflowId);
}
