// A chat turn the gate admitted, as the HTTP routes and the WebSocket run it: its workflow starts under the
// caller's identity with the admission's reservation (given back when the start fails), and a route that answers
// in one piece waits for the run's result, cancelling the run when its client hangs up first (a turn nothing reads
// once stored is answered earlier, from its events: final-answer.ts).
import type { FastifyReply } from 'fastify';
import type { Client } from '@temporalio/client';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import { cancelChatTurn, chatTurnResult, startChatTurn, type ChatStartTarget, type ChatTurnStart } from '../../clients/chat-turns.js';
import { billingOf, type Admission, type Gate } from '../gateway/gate.js';
import { failureOf } from '../openai/route-helpers.js';

export interface TurnStarter {
  temporal: Client;
  chatStart: ChatStartTarget;
  gate: Gate;
}

/** The turn as a route describes it; who asks, under which request id and reservation comes from the admission. */
export type AdmittedTurn = Omit<ChatTurnStart, 'tenantId' | 'userId' | 'tier' | 'requestId' | 'billing'>;

/** Returns the workflow id; when the start fails, the reservation is given back and the error rethrown. */
export async function startAdmittedTurn(deps: TurnStarter, admission: Admission, turn: AdmittedTurn): Promise<string> {
  const { principal, requestId } = admission;
  try {
    return await startChatTurn(deps.temporal, deps.chatStart, {
      tenantId: principal.orgId, userId: principal.userId, tier: principal.tier, requestId, ...turn, billing: billingOf(admission),
    });
  } catch (error) {
    await deps.gate.abandon(admission);
    throw error;
  }
}

/**
 * The run's result for a route that answers in one piece; its failure as the HTTP error the client sees. A client
 * that hangs up stops the run; it is charged what was generated until then.
 */
export async function turnResultFor(temporal: Client, reply: FastifyReply, workflowId: string): Promise<ChatTurnResult> {
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) cancelChatTurn(temporal, workflowId);
  });
  return resultOrFailure(temporal, workflowId);
}

/** The run's result, or its failure as the HTTP error the client sees. */
export async function resultOrFailure(temporal: Client, workflowId: string): Promise<ChatTurnResult> {
  try {
    return await chatTurnResult(temporal, workflowId);
  } catch (error) {
    throw failureOf(error);
  }
}
