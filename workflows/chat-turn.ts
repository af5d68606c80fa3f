// One chat turn as a durable workflow: (plan ∥ preSafety ∥ route) → (retrieve ∥ tools) → generate (or a
// fusion child) → postSafety → persist. Tokens stream through Redis from the generate activity; this history
// keeps the decisions. The steps before and after generation are local activities (markers in this history,
// no server round trip each). Deterministic code only.
import {
  CancellationScope,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChatActivities } from '../activities/chat/index.js';
import type { ChatOutcome, ChatTurnInput, ChatTurnResult, ChatTurnStatus, Citation, EndpointUsage, GenerationResult, ModelChoice, SafetyVerdict } from '../domain/chat/chat-request.js';
import type { Usage } from '../domain/chat/events.js';
import { fusionWorkflowId } from '../domain/chat/ids.js';
import { maxOutputTokens } from '../domain/limits.js';
import { buildMessages, type ChatMessage } from '../domain/chat/prompt.js';
import { fusionWorkflow } from './fusion.js';
import * as presets from './activity-options.js';
import { validate } from './chat-turn-input.js';
import { statusQuery } from './messages.js';
import { conversationAttribute, fusionStrategyAttribute, modelAttribute, outcomeAttribute, tenantAttribute } from './search-attributes.js';
import { describeFailure, isPersistFailure, servedUsage } from './turn-failure.js';
import { gatherSources, modelToolCalls } from './turn-sources.js';

const { plan } = proxyLocalActivities<ChatActivities>(presets.planOptions);
const { preSafety } = proxyLocalActivities<ChatActivities>(presets.preSafetyOptions);
const { route } = proxyLocalActivities<ChatActivities>(presets.routeOptions);
const { generate } = proxyActivities<ChatActivities>(presets.generateOptions);
const { postSafety } = proxyLocalActivities<ChatActivities>(presets.postSafetyOptions);
const { persist } = proxyLocalActivities<ChatActivities>(presets.persistOptions);
const { publishEvent } = proxyLocalActivities<ChatActivities>(presets.publishLocalOptions);
// A fusion's model.selected goes out as a regular activity, as recorded since fusion runs began.
const { publishEvent: publishEventRemotely } = proxyActivities<ChatActivities>(presets.publishOptions);

const defaultMaxTokens = 256;

export async function chatTurnWorkflow(input: ChatTurnInput): Promise<ChatTurnResult> {
  validate(input);
  const { workflowId } = workflowInfo();
  const status: ChatTurnStatus = { step: 'planning' };
  setHandler(statusQuery, () => status);
  const base = { workflowId, tenantId: input.tenantId };
  let answer = '';
  let model: string | undefined;
  // What the endpoints served once generation returned: a later failure still charges all of it.
  let served: { usage: Usage; usageByEndpoint?: EndpointUsage[] } | undefined;

  // A stateless client's own history and instructions: screened with the question, then used in its place.
  const clientContext = [...(input.history ?? []).map((message) => message.content), ...(input.instructions ? [input.instructions] : [])];

  try {
    const maxTokens = Math.min(input.maxTokens ?? defaultMaxTokens, maxOutputTokens);
    // Plan, input screen and routing run side by side: a turn that needs no documents or tools reaches
    // generation after one round. Routing announces nothing (generate announces the chosen model when it
    // starts), so a blocked request ends without a model ever being selected for the client, and the
    // router estimates the sources from whether the tenant has documents instead of waiting for them.
    const routed = settled(route({
      ...base,
      requestedModel: input.model,
      tier: input.tier,
      question: input.question,
      maxTokens,
      ...(input.fusion ? { fanOut: { models: input.fusion.models ?? [], ...(input.fusion.count ? { count: input.fusion.count } : {}) } } : {}),
      ...(input.requires?.length ? { requires: input.requires } : {}),
    }));
    const [decided, inputVerdict] = await Promise.all([
      plan({ ...base, conversationId: input.conversationId, question: input.question }),
      preSafety({ tenantId: input.tenantId, question: input.question, ...(clientContext.length > 0 ? { context: clientContext } : {}) }),
    ]);
    const routing = await routed;
    if (inputVerdict.action === 'block') return await refuse(input, workflowId, inputVerdict.reasons, status);
    if (!routing.ok) throw routing.error;
    const choice = routing.value;
    const question = inputVerdict.action === 'redact' && inputVerdict.text ? inputVerdict.text : input.question;
    status.step = 'gathering';
    const [gathered, toolOutputs] = await gatherSources(workflowId, input, decided);
    model = choice.model;
    status.model = model;

    // A model that supports OpenAI tool calling may add calls of its own, chosen from the question alone; its
    // outputs join the planner's (numbered after them as sources).
    if (choice.toolCalling && !input.fusion && (decided.availableTools?.length ?? 0) > 0) {
      toolOutputs.push(...await modelToolCalls(workflowId, input.tenantId, choice, question, decided));
    }

    status.step = 'generating';
    const screened = inputVerdict.context ?? clientContext;
    const messages = buildMessages({
      question,
      ...(input.questionParts ? { questionParts: input.questionParts } : {}),
      ...(input.continuation ? { continuation: input.continuation } : {}),
      history: input.history ? input.history.map((message, index) => ({ ...message, content: screened[index] ?? message.content })) : decided.history,
      ...(input.instructions ? { instructions: screened[input.history?.length ?? 0] ?? input.instructions } : {}),
      citations: gathered.citations,
      toolOutputs,
      retrievalSkipped: gathered.skipped,
    });
    const generation = input.fusion && choice.fanOut
      ? await fuse(input, workflowId, choice, messages, maxTokens)
      : await generate({
        workflowId,
        tenantId: input.tenantId,
        model: choice.model,
        baseUrl: choice.baseUrl,
        provider: choice.provider,
        fallbacks: choice.fallbacks,
        messages,
        maxTokens,
        ...(input.sampling ? { sampling: input.sampling } : {}),
        ...(input.generation ? { generation: input.generation } : {}),
        announce: { reason: choice.reason },
        workflowStartedAtMs: workflowInfo().startTime.getTime(),
      });
    answer = generation.text;
    served = { usage: generation.usage, ...(generation.usageByEndpoint ? { usageByEndpoint: generation.usageByEndpoint } : {}) };
    // A failover or a fusion: record the model that actually answered.
    model = generation.model;
    status.model = model;

    status.step = 'checking';
    // A turn nothing reads once stored (a chat completion is its own conversation; a turn kept nowhere) is told
    // the answer is done as soon as it is checked. A conversation's next turn, or a Responses API continuation,
    // reads the stored turn, so those are told after it is stored.
    const announceEarly = input.storeAfterAnswer === true || input.store === false;
    const outputVerdict = await postSafety({
      tenantId: input.tenantId,
      answer,
      sourceCount: gathered.citations.length + toolOutputs.length,
      sources: [...gathered.citations.map((citation) => ({ names: [citation.title, citation.source] })), ...toolOutputs.map((output) => ({ names: [output.tool] }))],
      ...(generation.toolCalls?.length ? { toolArguments: generation.toolCalls.map((call) => call.function.arguments) } : {}),
      ...(announceEarly ? { announce: { workflowId, conversationId: input.conversationId, model, usage: generation.usage, citations: gathered.citations.length } } : {}),
    });
    // The client's tool calls as the output policy leaves them (an argument's PII redacted).
    const toolCalls = generation.toolCalls?.map((call, index) => ({ ...call, function: { ...call.function, arguments: outputVerdict.toolArguments?.[index] ?? call.function.arguments } }));
    // Lines restating the source list are not kept (the client already saw them streamed; the stored turn drops them).
    if (outputVerdict.answer !== undefined) answer = outputVerdict.answer;

    status.step = 'persisting';
    await persistTurn(input, workflowId, { answer, model, outcome: 'completed', ...served, citations: gathered.citations }, announceEarly);
    // The Temporal UI's detail view shows what the run cost in tokens and how long it took (workflow time).
    upsertMemo({
      model,
      promptTokens: generation.usage.promptTokens,
      completionTokens: generation.usage.completionTokens,
      ...(generation.costMicros !== undefined ? { costUsd: generation.costMicros / 1_000_000 } : {}),
      latencyMs: Date.now() - workflowInfo().startTime.getTime(),
    });
    finish(status, 'completed', model);
    const fusion = generation.fusion ? { workflowId: fusionWorkflowId(workflowId), decision: generation.fusion, answers: generation.fusionAnswers ?? [] } : undefined;
    return {
      outcome: 'completed', answer, model, usage: generation.usage, citations: gathered.citations, safetyNotes: outputVerdict.reasons,
      ...(fusion ? { fusion } : {}),
      ...(toolCalls?.length ? { toolCalls } : {}),
      ...(generation.finishReason ? { finishReason: generation.finishReason } : {}),
    };
  } catch (error) {
    const outcome: ChatOutcome = isCancellation(error) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      const { code, message } = describeFailure(error, outcome);
      await publishEvent({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code, message, workflowId } } });
      // A turn that cannot be stored was charged by the failed persist itself; trying again would fail the same way.
      if (isPersistFailure(error)) return;
      await persistTurn(input, workflowId, { answer, model, outcome, ...(served ?? { usage: servedUsage(error) }), citations: [] });
    });
    finish(status, outcome, model);
    throw error;
  }
}

/** A promise's outcome without rejecting, so a later check decides which failure wins. */
async function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Several models answer in a child workflow and their answers are fused; the workflow announces the models first. */
async function fuse(input: ChatTurnInput, workflowId: string, choice: ModelChoice, messages: ChatMessage[], maxTokens: number): Promise<GenerationResult> {
  const fusion = input.fusion!;
  const candidates = choice.fanOut!;
  const models = candidates.map((candidate) => candidate.model);
  // A fusion has no generate step to announce its models: the workflow does, before its child starts.
  const data = { model: choice.model, reason: choice.reason, fallbacks: choice.fallbacks.map((target) => target.model), fusion: models };
  await publishEventRemotely({ workflowId, event: { type: 'model.selected', dedupeKey: 'model.selected', data } });
  return executeChild(fusionWorkflow, {
    workflowId: fusionWorkflowId(workflowId),
    args: [{ streamWorkflowId: workflowId, tenantId: input.tenantId, strategy: fusion.strategy, candidates, messages, maxTokens }],
    memo: { strategy: fusion.strategy, models },
    // Operators find a fusion run like its chat turn: by tenant, conversation, the models asked and the strategy.
    typedSearchAttributes: [
      { key: tenantAttribute, value: input.tenantId },
      { key: conversationAttribute, value: input.conversationId },
      { key: modelAttribute, value: models.join('+') },
      { key: fusionStrategyAttribute, value: fusion.strategy },
    ],
  });
}

/**
 * Stores the turn and settles its usage reservation in the same transaction (and, for a completed one, tells the
 * client it is done). Every path of the turn ends here, cancelled and failed ones included, so the workflow
 * charges what was served whichever API instance started it.
 */
function persistTurn(
  input: ChatTurnInput,
  workflowId: string,
  turn: { answer: string; model?: string; outcome: ChatOutcome; usage: Usage; usageByEndpoint?: EndpointUsage[]; citations: Citation[] },
  announced = false,
): Promise<void> {
  return persist({
    workflowId,
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    requestId: input.requestId,
    question: input.question,
    answer: turn.answer,
    ...(turn.model !== undefined ? { model: turn.model } : {}),
    outcome: turn.outcome,
    usage: turn.usage,
    citations: turn.citations,
    ...(turn.usageByEndpoint ? { usageByEndpoint: turn.usageByEndpoint } : {}),
    ...(input.billing ? { billing: input.billing } : {}),
    ...(input.store === false ? { store: false as const } : {}),
    ...(announced ? { announced } : {}),
  });
}

async function refuse(input: ChatTurnInput, workflowId: string, reasons: SafetyVerdict['reasons'], status: ChatTurnStatus): Promise<ChatTurnResult> {
  await publishEvent({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code: 'blocked', message: 'The request was refused by the safety policy.', reasons, workflowId } } });
  await persistTurn(input, workflowId, { answer: '', outcome: 'blocked', usage: { promptTokens: 0, completionTokens: 0 }, citations: [] });
  finish(status, 'blocked');
  return { outcome: 'blocked', answer: '', usage: { promptTokens: 0, completionTokens: 0 }, citations: [] };
}

/** The turn's end: the model it was answered by and its outcome, in one upsert. */
function finish(status: ChatTurnStatus, outcome: ChatOutcome, model?: string): void {
  status.step = 'done';
  status.outcome = outcome;
  upsertSearchAttributes([
    ...(model !== undefined ? [{ key: modelAttribute, value: model }] : []),
    { key: outcomeAttribute, value: outcome },
  ]);
}
