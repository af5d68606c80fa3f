// Conversation history and turns. Every query is scoped by tenant.
import type { Pool } from './pool.js';
import type { HistoryMessage } from '../../domain/chat/chat-request.js';
import { RecordRejected } from '../../domain/chat/errors.js';
import type { ConversationStore as ConversationStorePort, Settlement, TurnRecord } from '../../domain/chat/ports.js';
import { settleReservation } from '../gateway/usage-ledger.js';
import { isPermanentDatabaseError } from './database-errors.js';
import { withTransaction } from './transaction.js';

export type { TurnRecord };

export interface ConversationSummary {
  id: string;
  /** The name its user gave it, else its first question. */
  title: string;
  turns: number;
  updatedAt: string;
}

export interface TurnView extends Omit<TurnRecord, 'tenantId'> {
  createdAt: string;
}

/** The chat turn's ConversationStore in Postgres, plus the reads the API's conversation routes make. */
export class ConversationStore implements ConversationStorePort {
  constructor(private readonly pool: Pool) {}

  /** The last `limit` completed turns of a conversation, oldest first, as chat messages. */
  async history(tenantId: string, conversationId: string, limit: number): Promise<HistoryMessage[]> {
    const { rows } = await this.pool.query<{ question: string; answer: string }>(
      `SELECT question, answer FROM (
         SELECT question, answer, created_at FROM turns
         WHERE tenant_id = $1 AND conversation_id = $2 AND outcome = 'completed'
         ORDER BY created_at DESC LIMIT $3
       ) recent ORDER BY created_at ASC`,
      [tenantId, conversationId, limit],
    );
    return rows.flatMap((row) => [
      { role: 'user' as const, content: row.question },
      { role: 'assistant' as const, content: row.answer },
    ]);
  }

  /** The request id of a conversation's newest turn (any outcome), or undefined when it has none. */
  async latestRequestId(tenantId: string, conversationId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ request_id: string }>(
      `SELECT request_id FROM turns WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, request_id DESC LIMIT 1`,
      [tenantId, conversationId],
    );
    return rows[0]?.request_id;
  }

  /**
   * Stores a turn once, and settles its usage reservation in the same transaction: a retried persist with the
   * same request id changes nothing. True when this call settled the reservation.
   */
  async saveTurn(turn: TurnRecord, charge?: Settlement): Promise<boolean> {
    try {
      return await withTransaction(this.pool, async (client) => {
        await client.query(
          `INSERT INTO conversations (tenant_id, id) VALUES ($1, $2)
           ON CONFLICT (tenant_id, id) DO UPDATE SET updated_at = now()`,
          [turn.tenantId, turn.conversationId],
        );
        await client.query(
          `INSERT INTO turns (tenant_id, conversation_id, request_id, workflow_id, question, answer, model, outcome,
                              prompt_tokens, completion_tokens, citations)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (tenant_id, request_id) DO NOTHING`,
          [turn.tenantId, turn.conversationId, turn.requestId, turn.workflowId, turn.question, turn.answer, turn.model ?? null,
            turn.outcome, turn.usage.promptTokens, turn.usage.completionTokens, JSON.stringify(turn.citations)],
        );
        return charge ? settleReservation(client, charge) : false;
      });
    } catch (error) {
      if (isPermanentDatabaseError(error)) throw new RecordRejected('Postgres refused the turn', error);
      throw error;
    }
  }

  /** Settles a usage reservation on its own, for a turn that cannot be stored. True when this call settled it. */
  settleUsage(charge: Settlement): Promise<boolean> {
    return settleReservation(this.pool, charge);
  }

  async turn(tenantId: string, requestId: string): Promise<(TurnRecord & { createdAt: string }) | undefined> {
    const { rows } = await this.pool.query(
      `SELECT tenant_id, conversation_id, request_id, workflow_id, question, answer, model, outcome,
              prompt_tokens, completion_tokens, citations, created_at
       FROM turns WHERE tenant_id = $1 AND request_id = $2`,
      [tenantId, requestId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id, conversationId: row.conversation_id, requestId: row.request_id, workflowId: row.workflow_id,
      question: row.question, answer: row.answer, model: row.model ?? undefined, outcome: row.outcome,
      usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens }, citations: row.citations,
      createdAt: (row.created_at as Date).toISOString(),
    };
  }

  /** The org's conversations, most recently active first. */
  async list(tenantId: string, limit: number): Promise<ConversationSummary[]> {
    const { rows } = await this.pool.query<{ id: string; title: string | null; first_question: string | null; turns: number; updated_at: Date }>(
      `SELECT c.id, c.title, c.updated_at,
              (SELECT question FROM turns t WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id ORDER BY created_at LIMIT 1) AS first_question,
              (SELECT count(*)::int FROM turns t WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id) AS turns
       FROM conversations c WHERE c.tenant_id = $1 ORDER BY c.updated_at DESC, c.id LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map((row) => ({ id: row.id, title: row.title ?? row.first_question ?? 'New conversation', turns: row.turns, updatedAt: row.updated_at.toISOString() }));
  }

  /** Names a conversation, creating it if it has no turns yet. */
  async rename(tenantId: string, conversationId: string, title: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO conversations (tenant_id, id, title) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, id) DO UPDATE SET title = EXCLUDED.title`,
      [tenantId, conversationId, title],
    );
  }

  /** Every turn of a conversation (any outcome), oldest first, with its citations and usage. */
  async turns(tenantId: string, conversationId: string, limit: number): Promise<TurnView[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM (
         SELECT conversation_id, request_id, workflow_id, question, answer, model, outcome, prompt_tokens,
                completion_tokens, citations, created_at
         FROM turns WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at DESC LIMIT $3
       ) recent ORDER BY created_at ASC`,
      [tenantId, conversationId, limit],
    );
    return rows.map((row) => ({
      conversationId: row.conversation_id, requestId: row.request_id, workflowId: row.workflow_id, question: row.question,
      answer: row.answer, model: row.model ?? undefined, outcome: row.outcome, citations: row.citations,
      usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens }, createdAt: (row.created_at as Date).toISOString(),
    }));
  }
}
