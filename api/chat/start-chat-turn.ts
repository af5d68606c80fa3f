// Starts (or joins) the chat turn workflow of one request: the one path the WebSocket and the
// OpenAI-compatible endpoint share, so both get the same idempotency, search attributes and memo.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import type { chatTurnWorkflow } from '../../workflows/chat-turn.js';
import type { FusionRequest } from '../../domain/chat/chat-request.js';
import { conversationAttribute, tenantAttribute } from '../../workflows/search-attributes.js';

export interface ChatTurnStart {
  tenantId: string;
  userId: string;
  /** The org's tier: decides which models the router may use. */
  tier: string;
  requestId: string;
  conversationId: string;
  question: string;
  model?: string;
  maxTokens?: number;
  fusion?: FusionRequest;
}

/** Returns the workflow id; a duplicate submit joins the running request, a finished one is never re-run. */
export async function startChatTurn(temporal: Client, taskQueue: string, turn: ChatTurnStart): Promise<string> {
  const workflowId = chatWorkflowId(turn.tenantId, turn.requestId);
  try {
    await temporal.workflow.start<typeof chatTurnWorkflow>('chatTurnWorkflow', {
      taskQueue,
      workflowId,
      args: [{
        tenantId: turn.tenantId,
        userId: turn.userId,
        tier: turn.tier,
        requestId: turn.requestId,
        conversationId: turn.conversationId,
        question: turn.question,
        model: turn.model,
        maxTokens: turn.maxTokens,
        fusion: turn.fusion,
      }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: tenantAttribute, value: turn.tenantId },
        { key: conversationAttribute, value: turn.conversationId },
      ],
      memo: { questionPreview: preview(turn.question), conversationId: turn.conversationId },
      staticSummary: `${turn.tenantId}: ${preview(turn.question)}`,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return workflowId;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
