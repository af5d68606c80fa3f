// Workflow ids are meaningful: an operator can read tenant and request from them, and a duplicate
// submit of the same request maps to the same id (idempotency). They are built by the one scoped-id
// encoding (domain/tenancy/scoped-id.ts), so no two (tenant, request) pairs share an id.
import { scopedId } from '../tenancy/scoped-id.js';

export function chatWorkflowId(tenantId: string, requestId: string): string {
  return scopedId('chat', tenantId, requestId);
}

/**
 * The id the same request had before ids were escaped (`chat-<tenant>-<request>`, ambiguous when either
 * holds `-`). Only ever looked up together with a check of the run's tenant attribute, for runs started
 * before the change; equal to chatWorkflowId when neither part holds `-`.
 */
export function legacyChatWorkflowId(tenantId: string, requestId: string): string {
  return `chat-${tenantId}-${requestId}`;
}

/** The fusion child of a chat run: the chat id is unambiguous, and `-fusion` adds a fourth part no chat id has. */
export function fusionWorkflowId(chatWorkflowIdentifier: string): string {
  return `${chatWorkflowIdentifier}-fusion`;
}

export function eventStreamKey(workflowId: string): string {
  return `events:${workflowId}`;
}
