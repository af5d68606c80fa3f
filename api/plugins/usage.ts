// What an org spent (/v1/usage, per day, user and model, with the month's budget) and its conversations.
// Every query is scoped by the caller's org: one tenant's key never reads another's rows.
import type { onRequestAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import type { UsageLedger } from '../../infra/gateway/usage-ledger.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { Conversation, UsageReport, responses } from '../openapi/response-schemas.js';
import { identifierPattern } from '../../domain/limits.js';

// A calendar date Postgres accepts: real month and day (format), and no year 0000 (pattern).
const date = Type.String({ format: 'date', pattern: '^(?!0000)\\d{4}-\\d{2}-\\d{2}$', description: 'UTC date, YYYY-MM-DD' });
const UsageQuery = Type.Object({
  from: Type.Optional(date),
  to: Type.Optional(date),
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
}, { additionalProperties: false });

const ConversationParams = Type.Object({ conversationId: Type.String({ pattern: identifierPattern }) });
const ConversationQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false });

export interface UsageOptions {
  authenticate: onRequestAsyncHookHandler;
  ledger: UsageLedger;
  conversations: ConversationStore;
}

const usd = (micros: number) => micros / 1_000_000;

/** Request types come from the route schemas (TypeBox type provider). */
export const usagePlugin: FastifyPluginAsyncTypebox<UsageOptions> = async (app, options) => {
  app.get('/v1/usage', { onRequest: options.authenticate, schema: { querystring: UsageQuery, response: responses({ 200: UsageReport }) } }, async (request) => {
    const principal = principalOf(request);
    const today = new Date().toISOString().slice(0, 10);
    const from = request.query.from ?? `${today.slice(0, 8)}01`;
    const to = request.query.to ?? today;
    const [rows, budget] = await Promise.all([
      options.ledger.report(principal.orgId, { from, to, userId: request.query.user }),
      options.ledger.budgetPeriod(principal.orgId),
    ]);
    const limit = principal.monthlyBudgetMicros;
    return {
      object: 'usage',
      org_id: principal.orgId,
      from,
      to,
      budget: {
        period: budget.period,
        monthly_budget_usd: limit === null ? null : usd(limit),
        spent_usd: usd(budget.spentMicros),
        reserved_usd: usd(budget.reservedMicros),
        remaining_usd: limit === null ? null : usd(Math.max(0, limit - budget.spentMicros - budget.reservedMicros)),
      },
      data: rows.map((row) => ({
        day: row.day,
        user_id: row.userId,
        model: row.model,
        requests: row.requests,
        cached_requests: row.cachedRequests,
        prompt_tokens: row.promptTokens,
        completion_tokens: row.completionTokens,
        total_tokens: row.promptTokens + row.completionTokens,
        cost_usd: usd(row.costMicros),
      })),
    };
  });

  app.get(
    '/v1/conversations/:conversationId',
    { onRequest: options.authenticate, schema: { params: ConversationParams, querystring: ConversationQuery, response: responses({ 200: Conversation }) } },
    async (request) => {
      const principal = principalOf(request);
      const messages = await options.conversations.history(principal.orgId, request.params.conversationId, request.query.limit ?? 20);
      return { object: 'conversation', id: request.params.conversationId, messages };
    },
  );
};
