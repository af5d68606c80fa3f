// One client's WebSocket: parses frames, starts/joins/cancels chat workflows and relays their events.
// A bad frame gets an `error` event and the connection stays usable.
import type { WebSocket } from 'ws';
import type { Redis } from 'ioredis';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { ChatEvent } from '../../domain/chat/events.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import type { EventStream } from '../../infra/redis/event-stream.js';
import type { chatTurnWorkflow } from '../../workflows/chat-turn.js';
import { conversationAttribute, tenantAttribute } from '../../workflows/search-attributes.js';
import { parseClientMessage, type CancelMessage, type ChatMessage, type ResumeMessage } from './client-messages.js';
import { relayEvents } from './event-relay.js';

export interface ChatConnectionDependencies {
  temporal: Client;
  events: EventStream;
  redis: Redis;
  taskQueue: string;
  maxMessageBytes: number;
  logger: FastifyBaseLogger;
}

export class ChatConnection {
  private readonly relays = new Map<string, AbortController>();

  constructor(
    private readonly socket: WebSocket,
    private readonly tenantId: string,
    private readonly deps: ChatConnectionDependencies,
  ) {
    socket.on('message', (data: Buffer) => void this.onFrame(data));
    socket.on('close', () => this.close());
  }

  close(): void {
    for (const controller of this.relays.values()) controller.abort();
    this.relays.clear();
  }

  private async onFrame(data: Buffer): Promise<void> {
    const parsed = parseClientMessage(data, this.deps.maxMessageBytes);
    if (!parsed.ok) return this.sendError(parsed.code, parsed.message, parsed.requestId);
    const message = parsed.message;
    try {
      if (message.type === 'chat') await this.chat(message);
      else if (message.type === 'cancel') await this.cancel(message);
      else await this.resume(message);
    } catch (error) {
      this.deps.logger.error({ err: error, requestId: message.requestId }, 'chat message failed');
      this.sendError('internal', 'The request could not be processed.', message.requestId);
    }
  }

  private async chat(message: ChatMessage): Promise<void> {
    const workflowId = chatWorkflowId(this.tenantId, message.requestId);
    const conversationId = message.conversationId ?? message.requestId;
    try {
      await this.deps.temporal.workflow.start<typeof chatTurnWorkflow>('chatTurnWorkflow', {
        taskQueue: this.deps.taskQueue,
        workflowId,
        args: [{
          tenantId: this.tenantId,
          requestId: message.requestId,
          conversationId,
          question: message.message,
          model: message.model,
          maxTokens: message.maxTokens,
        }],
        // A duplicate submit joins the running request; a finished one is replayed, never re-run.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: tenantAttribute, value: this.tenantId },
          { key: conversationAttribute, value: conversationId },
        ],
        memo: { questionPreview: preview(message.message), conversationId },
        staticSummary: `${this.tenantId}: ${preview(message.message)}`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    this.relay(message.requestId, workflowId, 0);
  }

  private async cancel(message: CancelMessage): Promise<void> {
    const handle = this.deps.temporal.workflow.getHandle(chatWorkflowId(this.tenantId, message.requestId));
    try {
      await handle.cancel();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.sendError('not_found', 'no running request with this requestId', message.requestId);
      throw error;
    }
  }

  private async resume(message: ResumeMessage): Promise<void> {
    const workflowId = chatWorkflowId(this.tenantId, message.requestId);
    try {
      await this.deps.temporal.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.sendError('not_found', 'no request with this requestId', message.requestId);
      throw error;
    }
    this.relay(message.requestId, workflowId, message.lastEventId);
  }

  private relay(requestId: string, workflowId: string, afterSeq: number): void {
    this.relays.get(requestId)?.abort();
    const controller = new AbortController();
    this.relays.set(requestId, controller);
    relayEvents({
      workflowId,
      afterSeq,
      events: this.deps.events,
      connection: this.deps.redis.duplicate(),
      signal: controller.signal,
      send: (event) => this.sendEvent(requestId, event),
      workflowClosed: () => this.isClosed(workflowId),
    })
      .then((end) => {
        if (end === 'closed_without_terminal') this.sendError('internal', 'The request ended without an answer.', requestId);
      })
      .catch((error) => {
        this.deps.logger.error({ err: error, workflowId }, 'event relay failed');
        this.sendError('internal', 'The event stream was interrupted; resume with lastEventId.', requestId);
      })
      .finally(() => {
        if (this.relays.get(requestId) === controller) this.relays.delete(requestId);
      });
  }

  private async isClosed(workflowId: string): Promise<boolean> {
    const description = await this.deps.temporal.workflow.getHandle(workflowId).describe();
    return description.status.name !== 'RUNNING';
  }

  private sendEvent(requestId: string, event: ChatEvent): void {
    this.send({ type: event.type, requestId, seq: event.seq, data: event.data });
  }

  private sendError(code: string, message: string, requestId?: string): void {
    this.send({ type: 'error', ...(requestId ? { requestId } : {}), data: { code, message } });
  }

  private send(payload: Record<string, unknown>): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(payload));
  }
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
