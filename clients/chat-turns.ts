// The Temporal client side of chat turns: starting (or joining) the workflow of one request, finding a caller's
// own run, asking whether it still runs and cancelling it. The one path the WebSocket and the OpenAI-compatible
// routes share, so all get the same idempotency, search attributes and memo.
import type { Client } from '@temporalio/client';
import { chatWorkflowId, legacyChatWorkflowId } from '../domain/chat/ids.js';
import type { ChatTurnInput, ChatTurnResult } from '../domain/chat/chat-request.js';
import type { chatTurnWorkflow } from '../workflows/chat-turn.js';
import { conversationAttribute, tenantAttribute } from '../workflows/search-attributes.js';
import { findOwnedRun } from './owned-run.js';
import { startOnce } from './start-once.js';

/** A chat turn as the API starts it: the workflow's input with the caller's user and tier always known. */
export type ChatTurnStart = ChatTurnInput & { userId: string; tier: string };

/**
 * Where chat turns start: the task queue, and whether to ask for an eager start (the server hands the first
 * workflow task straight back to a worker in this process, which then runs it without a dispatch round).
 */
export interface ChatStartTarget {
  taskQueue: string;
  eager?: boolean;
}

/** Returns the workflow id; a duplicate submit joins the running request, a finished one is never re-run. */
export async function startChatTurn(temporal: Client, target: ChatStartTarget, turn: ChatTurnStart): Promise<string> {
  const workflowId = chatWorkflowId(turn.tenantId, turn.requestId);
  // A run started before ids were escaped is joined under its old id, and only if it is this tenant's.
  const legacy = legacyChatWorkflowId(turn.tenantId, turn.requestId);
  if (legacy !== workflowId && await findOwnedRun(temporal, turn.tenantId, [legacy])) return legacy;
  await startOnce<typeof chatTurnWorkflow>(temporal, 'chatTurnWorkflow', {
    taskQueue: target.taskQueue,
    workflowId,
    ...(target.eager ? { requestEagerStart: true } : {}),
    args: [turn],
    typedSearchAttributes: [
      { key: tenantAttribute, value: turn.tenantId },
      { key: conversationAttribute, value: turn.conversationId },
    ],
    memo: {
      questionPreview: preview(turn.question), conversationId: turn.conversationId, tenantId: turn.tenantId, requestId: turn.requestId,
      // A run that keeps nothing says so: a later previous_response_id to it is refused with that reason.
      ...(turn.store === false ? { store: false } : {}),
    },
    staticSummary: `${turn.tenantId}: ${preview(turn.question)}`,
  });
  return workflowId;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

/** The caller's own run of a request (new or pre-escaping id), or undefined: another tenant's run is not found. */
export function findChatTurn(temporal: Client, tenantId: string, requestId: string) {
  return findOwnedRun(temporal, tenantId, [chatWorkflowId(tenantId, requestId), legacyChatWorkflowId(tenantId, requestId)]);
}

/** Whether the run has closed (completed, failed, cancelled, terminated, timed out): a relay's end check. */
export async function chatTurnClosed(temporal: Client, workflowId: string): Promise<boolean> {
  return (await temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
}

/** Asks the run to stop (a client left); a run already gone is not an error. */
export function cancelChatTurn(temporal: Client, workflowId: string): void {
  temporal.workflow.getHandle(workflowId).cancel().catch(() => undefined);
}

/** The run's result; its failure is thrown as Temporal's WorkflowFailedError. */
export function chatTurnResult(temporal: Client, workflowId: string): Promise<ChatTurnResult> {
  return temporal.workflow.getHandle<typeof chatTurnWorkflow>(workflowId).result();
}
