// One client's WebSocket: parses frames, starts/joins/cancels chat workflows and relays their events.
// A bad frame gets an `error` event and the connection stays usable. Each chat frame is the root span of
// its request's trace (the workflow start, and through it the run, its activities and the model call).
import type { WebSocket } from 'ws';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Span } from '@opentelemetry/api';
import type { EventFeed } from '../../domain/chat/event-feed.js';
import { terminalEventTypes, type ChatEvent } from '../../domain/chat/events.js';
import type { Principal } from '../../domain/gateway/principal.js';
import { inRequestSpan } from '../../infra/tracing/request-span.js';
import type { Gate } from '../gateway/gate.js';
import { GatewayError } from '../gateway/gateway-error.js';
import { parseClientMessage, type CancelMessage, type ChatMessage, type ResumeMessage } from './client-messages.js';
import { startAdmittedTurn } from './admitted-turn.js';
import type { InFlight } from './in-flight.js';
import { chatTurnClosed, findChatTurn, type ChatStartTarget } from '../../clients/chat-turns.js';

export interface ChatConnectionDependencies {
  temporal: Client;
  feed: EventFeed;
  chatStart: ChatStartTarget;
  maxMessageBytes: number;
  gate: Gate;
  /** Relays in progress, which a graceful shutdown lets finish. */
  inFlight: InFlight;
  logger: FastifyBaseLogger;
  /** The socket's credential, re-checked before each frame is acted on. */
  credential?: { stillValid(): Promise<boolean> };
}

export class ChatConnection {
  private readonly relays = new Map<string, AbortController>();
  private readonly tenantId: string;

  constructor(
    private readonly socket: WebSocket,
    private readonly principal: Principal,
    private readonly deps: ChatConnectionDependencies,
  ) {
    this.tenantId = principal.orgId;
    // A frame's failure is the client's error event, never an unhandled rejection that ends the process.
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.onFrame(data, isBinary).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'chat frame failed');
        this.sendError('internal', 'The request could not be processed.');
      });
    });
    socket.on('close', () => this.close());
  }

  close(): void {
    for (const controller of this.relays.values()) controller.abort();
    this.relays.clear();
  }

  /** The credential stopped holding: relays stop and the client is told why before the socket closes. */
  refuse(code: string, message: string): void {
    this.sendError(code, message);
    this.close();
  }

  private async onFrame(data: Buffer, isBinary: boolean): Promise<void> {
    // A frame after the credential stopped holding is refused; the watch tells the client and closes the socket.
    if (this.deps.credential && !(await this.deps.credential.stillValid())) return;
    if (isBinary) return this.sendError('bad_request', 'binary frames are not accepted; send JSON text frames');
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

  /** The request's span lasts until its last event is relayed (or the client leaves). */
  private chat(message: ChatMessage): Promise<void> {
    return inRequestSpan('chat.request', { tenantId: this.tenantId, requestId: message.requestId }, (span) => this.startChat(message, span));
  }

  private async startChat(message: ChatMessage, span: Span): Promise<void> {
    // Rate limits and the budget are checked per request; a refusal is an error event, the socket stays open.
    let admission;
    try {
      admission = await this.deps.gate.admit(this.principal, {
        requestId: message.requestId, endpoint: 'chat.ws', model: message.model,
        promptText: message.message, maxTokens: message.maxTokens ?? 256,
      });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const retryAfter = error.headers['retry-after'];
      span.setAttribute('ragtime.refused', error.code);
      return this.sendError(error.code, error.message, message.requestId, retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {});
    }
    const workflowId = await startAdmittedTurn(this.deps, admission, {
      conversationId: message.conversationId ?? message.requestId,
      question: message.message,
      model: message.model,
      maxTokens: message.maxTokens,
      fusion: message.fusion,
    });
    // Inside the span: the line carries the trace id that answer.done reports.
    this.deps.logger.info({ requestId: message.requestId, workflowId }, 'chat request started');
    await this.relay(message.requestId, workflowId, 0);
  }

  private async cancel(message: CancelMessage): Promise<void> {
    const run = await findChatTurn(this.deps.temporal, this.tenantId, message.requestId);
    if (!run) return this.sendError('not_found', 'no running request with this requestId', message.requestId);
    try {
      await this.deps.temporal.workflow.getHandle(run.workflowId).cancel();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.sendError('not_found', 'no running request with this requestId', message.requestId);
      throw error;
    }
  }

  private async resume(message: ResumeMessage): Promise<void> {
    // Only the caller's own run: another tenant's request is answered exactly like a missing one.
    const run = await findChatTurn(this.deps.temporal, this.tenantId, message.requestId);
    if (!run) return this.sendError('not_found', 'no request with this requestId', message.requestId);
    this.relay(message.requestId, run.workflowId, message.lastEventId)
      .catch((error: unknown) => this.deps.logger.error({ err: error, workflowId: run.workflowId }, 'resumed relay failed'));
  }

  /** Settles when the relay ends; its failures are reported to the client, never thrown. */
  private relay(requestId: string, workflowId: string, afterSeq: number): Promise<void> {
    this.relays.get(requestId)?.abort();
    const controller = new AbortController();
    this.relays.set(requestId, controller);
    return this.deps.inFlight.track(this.forward(requestId, workflowId, afterSeq, controller.signal)
      .catch((error) => {
        this.deps.logger.error({ err: error, workflowId }, 'event relay failed');
        this.sendError('internal', 'The event stream was interrupted; resume with lastEventId.', requestId);
      })
      .finally(() => {
        if (this.relays.get(requestId) === controller) this.relays.delete(requestId);
      }));
  }

  /** The run's events after `afterSeq` to the client, until a terminal one (or the client leaves). */
  private async forward(requestId: string, workflowId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    let terminal = false;
    const events = this.deps.feed.follow(workflowId, afterSeq, { signal, runClosed: () => chatTurnClosed(this.deps.temporal, workflowId) });
    for await (const event of events) {
      this.sendEvent(requestId, event);
      terminal = terminalEventTypes.includes(event.type);
    }
    if (!terminal && !signal.aborted) this.sendError('internal', 'The request ended without an answer.', requestId);
  }

  private sendEvent(requestId: string, event: ChatEvent): void {
    this.send({ type: event.type, requestId, seq: event.seq, data: event.data });
  }

  private sendError(code: string, message: string, requestId?: string, details: Record<string, unknown> = {}): void {
    this.send({ type: 'error', ...(requestId ? { requestId } : {}), data: { code, message, ...details } });
  }

  private send(payload: Record<string, unknown>): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(payload));
  }
}
