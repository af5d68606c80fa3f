// One chat turn as a durable workflow: plan → (preSafety ∥ retrieve ∥ tools) → route → generate →
// postSafety → persist. Tokens stream through Redis from the generate activity; this history keeps the
// decisions. Deterministic code only.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChatActivities } from '../activities/chat/index.js';
import type { ChatOutcome, ChatTurnInput, ChatTurnResult, ChatTurnStatus, Citation, ToolOutput } from '../domain/chat/chat-request.js';
import type { ErrorCode } from '../domain/chat/events.js';
import { identifierPattern } from '../domain/chat/ids.js';
import { buildMessages } from '../domain/chat/prompt.js';
import { fusionStrategies } from '../domain/routing/fusion.js';
import { fusionWorkflow } from './fusion.js';
import * as presets from './activity-options.js';
import { statusQuery } from './messages.js';
import { modelAttribute, outcomeAttribute } from './search-attributes.js';

const { plan } = proxyLocalActivities<ChatActivities>(presets.planOptions);
const { preSafety } = proxyLocalActivities<ChatActivities>(presets.preSafetyOptions);
const { retrieve } = proxyLocalActivities<ChatActivities>(presets.retrieveOptions);
const { runTools } = proxyActivities<ChatActivities>(presets.toolsOptions);
const { route } = proxyLocalActivities<ChatActivities>(presets.routeOptions);
const { generate } = proxyActivities<ChatActivities>(presets.generateOptions);
const { postSafety } = proxyActivities<ChatActivities>(presets.postSafetyOptions);
const { persist } = proxyActivities<ChatActivities>(presets.persistOptions);
const { publishEvent } = proxyActivities<ChatActivities>(presets.publishOptions);

export const maxQuestionLength = 16_000;
const defaultMaxTokens = 256;
const maxTokensCeiling = 2048;

export async function chatTurnWorkflow(input: ChatTurnInput): Promise<ChatTurnResult> {
  validate(input);
  const { workflowId } = workflowInfo();
  const status: ChatTurnStatus = { step: 'planning' };
  setHandler(statusQuery, () => status);
  const base = { workflowId, tenantId: input.tenantId };
  let answer = '';
  let model: string | undefined;

  try {
    const decided = await plan({ ...base, conversationId: input.conversationId, question: input.question });

    status.step = 'gathering';
    const [inputVerdict, gathered, toolOutputs] = await Promise.all([
      preSafety({ tenantId: input.tenantId, question: input.question }),
      decided.useRetrieval ? retrieveOrSkip(workflowId, input) : Promise.resolve<Gathered>({ citations: [] }),
      decided.tools.length > 0 ? runTools({ ...base, question: input.question, tools: decided.tools }) : Promise.resolve([] as ToolOutput[]),
    ]);
    if (inputVerdict.action === 'block') {
      return await refuse(input, workflowId, inputVerdict.reasons, status);
    }
    const question = inputVerdict.action === 'redact' && inputVerdict.text ? inputVerdict.text : input.question;

    status.step = 'routing';
    const maxTokens = Math.min(input.maxTokens ?? defaultMaxTokens, maxTokensCeiling);
    const choice = await route({
      ...base,
      requestedModel: input.model,
      tier: input.tier,
      question,
      sourceCount: gathered.citations.length + toolOutputs.length,
      maxTokens,
      ...(input.fusion ? { fanOut: { models: input.fusion.models ?? [] } } : {}),
    });
    model = choice.model;
    status.model = model;
    upsertSearchAttributes([{ key: modelAttribute, value: model }]);

    status.step = 'generating';
    const messages = buildMessages({
      question,
      history: decided.history,
      citations: gathered.citations,
      toolOutputs,
      retrievalSkipped: gathered.skipped,
    });
    const generation = input.fusion && choice.fanOut
      ? await executeChild(fusionWorkflow, {
        workflowId: `${workflowId}-fusion`,
        args: [{ streamWorkflowId: workflowId, tenantId: input.tenantId, strategy: input.fusion.strategy, candidates: choice.fanOut, messages, maxTokens }],
        memo: { strategy: input.fusion.strategy, models: choice.fanOut.map((candidate) => candidate.model) },
      })
      : await generate({
        workflowId,
        tenantId: input.tenantId,
        model: choice.model,
        baseUrl: choice.baseUrl,
        provider: choice.provider,
        fallbacks: choice.fallbacks,
        messages,
        maxTokens,
        workflowStartedAtMs: workflowInfo().startTime.getTime(),
      });
    answer = generation.text;
    if (generation.model !== model) {
      // A failover or a fusion: record the model that actually answered.
      model = generation.model;
      status.model = model;
      upsertSearchAttributes([{ key: modelAttribute, value: model }]);
    }

    status.step = 'checking';
    const outputVerdict = await postSafety({
      tenantId: input.tenantId,
      answer,
      sourceCount: gathered.citations.length + toolOutputs.length,
    });

    status.step = 'persisting';
    await persist({
      ...base,
      conversationId: input.conversationId,
      requestId: input.requestId,
      question: input.question,
      answer,
      model,
      outcome: 'completed',
      usage: generation.usage,
      citations: gathered.citations,
    });
    if (patched('usage-memo')) {
      // The Temporal UI's detail view shows what the run cost in tokens and how long it took (workflow time).
      upsertMemo({ model, promptTokens: generation.usage.promptTokens, completionTokens: generation.usage.completionTokens, latencyMs: Date.now() - workflowInfo().startTime.getTime() });
    }
    finish(status, 'completed');
    return { outcome: 'completed', answer, model, usage: generation.usage, citations: gathered.citations, safetyNotes: outputVerdict.reasons };
  } catch (error) {
    const outcome: ChatOutcome = isCancellation(error) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      const { code, message } = describeFailure(error, outcome);
      await publishEvent({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code, message, workflowId } } });
      await persist({
        ...base,
        conversationId: input.conversationId,
        requestId: input.requestId,
        question: input.question,
        answer,
        model,
        outcome,
        usage: { promptTokens: 0, completionTokens: 0 },
        citations: [],
      });
    });
    finish(status, outcome);
    throw error;
  }
}

interface Gathered {
  citations: Citation[];
  skipped?: string;
}

async function retrieveOrSkip(workflowId: string, input: ChatTurnInput): Promise<Gathered> {
  try {
    return { citations: await retrieve({ workflowId, tenantId: input.tenantId, question: input.question }) };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    const skipped = cause instanceof Error && cause.message ? cause.message : 'retrieval failed';
    await publishEvent({ workflowId, event: { type: 'retrieval.citations', dedupeKey: 'retrieval.citations', data: { citations: [], skipped } } });
    return { citations: [], skipped };
  }
}

async function refuse(input: ChatTurnInput, workflowId: string, reasons: string[], status: ChatTurnStatus): Promise<ChatTurnResult> {
  await publishEvent({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code: 'blocked', message: 'The request was refused by the safety policy.', reasons, workflowId } } });
  await persist({
    workflowId,
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    requestId: input.requestId,
    question: input.question,
    answer: '',
    outcome: 'blocked',
    usage: { promptTokens: 0, completionTokens: 0 },
    citations: [],
  });
  finish(status, 'blocked');
  return { outcome: 'blocked', answer: '', usage: { promptTokens: 0, completionTokens: 0 }, citations: [] };
}

function finish(status: ChatTurnStatus, outcome: ChatOutcome): void {
  status.step = 'done';
  status.outcome = outcome;
  upsertSearchAttributes([{ key: outcomeAttribute, value: outcome }]);
}

function validate(input: ChatTurnInput): void {
  const problems: string[] = [];
  if (!identifierPattern.test(input.tenantId ?? '')) problems.push('tenantId must be 1-64 letters, digits, _ or -');
  if (!identifierPattern.test(input.requestId ?? '')) problems.push('requestId must be 1-64 letters, digits, _ or -');
  if (!identifierPattern.test(input.conversationId ?? '')) problems.push('conversationId must be 1-64 letters, digits, _ or -');
  if (typeof input.question !== 'string' || input.question.trim() === '') problems.push('question must be a non-empty string');
  else if (input.question.length > maxQuestionLength) problems.push(`question must be at most ${maxQuestionLength} characters`);
  if (input.maxTokens !== undefined && (!Number.isInteger(input.maxTokens) || input.maxTokens < 1)) problems.push('maxTokens must be a positive integer');
  if (input.fusion && !fusionStrategies.includes(input.fusion.strategy)) problems.push(`fusion.strategy must be one of ${fusionStrategies.join(', ')}`);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'bad_request');
}

function describeFailure(error: unknown, outcome: ChatOutcome): { code: ErrorCode | string; message: string } {
  if (outcome === 'cancelled') return { code: 'cancelled', message: 'The request was cancelled.' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) {
    if (cause.type === 'bad_request' || cause.type === 'model_unavailable') return { code: cause.type, message: cause.message };
    return { code: cause.type, message: 'The answer could not be completed.' };
  }
  return { code: 'internal', message: 'The answer could not be completed.' };
}
