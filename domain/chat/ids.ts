// Workflow ids are meaningful: an operator can read tenant and request from them, and a duplicate
// submit of the same request maps to the same id (idempotency).

export const identifierPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function chatWorkflowId(tenantId: string, requestId: string): string {
  return `chat-${tenantId}-${requestId}`;
}

export function eventStreamKey(workflowId: string): string {
  return `events:${workflowId}`;
}
