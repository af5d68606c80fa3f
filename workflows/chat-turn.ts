// One chat turn as a durable workflow: plan → (preSafety ∥ retrieve ∥ tools) → route → generate →
// postSafety → persist. Tokens stream through Redis from the generate activity; this history keeps the
// decisions. Deterministic code only.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
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
import type { ChatOutcome, ChatTurnInput, ChatTurnResult, ChatTurnStatus, Citation, EndpointUsage, ModelChoice, Plan, SafetyVerdict, ToolCall, ToolOutput } from '../domain/chat/chat-request.js';
import type { ErrorCode, Usage } from '../domain/chat/events.js';
import { fusionWorkflowId } from '../domain/chat/ids.js';
import { isIdentifier, maxContextCharacters, maxOutputTokens, maxQuestionCharacters } from '../domain/limits.js';
import { buildMessages } from '../domain/chat/prompt.js';
import { fusionStrategies } from '../domain/routing/fusion.js';
import { fusionWorkflow } from './fusion.js';
import * as presets from './activity-options.js';
import { failureCause, failureType } from './failures.js';
import { statusQuery } from './messages.js';
import { conversationAttribute, fusionStrategyAttribute, modelAttribute, outcomeAttribute, tenantAttribute } from './search-attributes.js';

const { plan } = proxyLocalActivities<ChatActivities>(presets.planOptions);
const { preSafety } = proxyLocalActivities<ChatActivities>(presets.preSafetyOptions);
const { retrieve } = proxyLocalActivities<ChatActivities>(presets.retrieveOptions);
const { runTools } = proxyActivities<ChatActivities>(presets.toolsOptions);
const { proposeToolCalls } = proxyActivities<ChatActivities>(presets.toolCallOptions);
const { route } = proxyLocalActivities<ChatActivities>(presets.routeOptions);
const { generate } = proxyActivities<ChatActivities>(presets.generateOptions);
const { postSafety } = proxyActivities<ChatActivities>(presets.postSafetyOptions);
const { persist } = proxyActivities<ChatActivities>(presets.persistOptions);
const { publishEvent } = proxyActivities<ChatActivities>(presets.publishOptions);
// The same steps as local activities, for turns started since the 'lean-turn' patch.
const { postSafety: postSafetyHere } = proxyLocalActivities<ChatActivities>(presets.postSafetyLocalOptions);
const { persist: persistHere } = proxyLocalActivities<ChatActivities>(presets.persistLocalOptions);
const { publishEvent: publishEventHere } = proxyLocalActivities<ChatActivities>(presets.publishLocalOptions);

/**
 * How a turn records itself. `lean` (turns started since the 'lean-turn' patch): one patch marker stands for
 * every earlier patch (each marker also costs a search-attribute upsert), the routed model and the outcome are
 * set in one upsert at the end, and the steps after generation run as local activities. Older histories take
 * the recorded path and replay unchanged.
 */
interface TurnShape {
  lean: boolean;
}

/** Bounds of a stateless client's own history (the OpenAI-compatible API); its characters: maxContextCharacters. */
const maxHistoryMessages = 255;
const defaultMaxTokens = 256;

export async function chatTurnWorkflow(input: ChatTurnInput): Promise<ChatTurnResult> {
  validate(input);
  const shape: TurnShape = { lean: patched('lean-turn') };
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
    const planInput = { ...base, conversationId: input.conversationId, question: input.question };
    const screenInput = { tenantId: input.tenantId, question: input.question, ...(clientContext.length > 0 ? { context: clientContext } : {}) };
    const routeInput = (question: string, sourceCount?: number) => ({
      ...base,
      requestedModel: input.model,
      tier: input.tier,
      question,
      ...(sourceCount !== undefined ? { sourceCount } : {}),
      maxTokens,
      ...(input.fusion ? { fanOut: { models: input.fusion.models ?? [], ...(input.fusion.count ? { count: input.fusion.count } : {}) } } : {}),
      ...(input.requires?.length ? { requires: input.requires } : {}),
    });
    const gatherStage = (decided: Plan) => Promise.all([
      decided.useRetrieval ? retrieveOrSkip(workflowId, input) : Promise.resolve<Gathered>({ citations: [] }),
      decided.tools.length > 0 ? runToolCalls(workflowId, input.tenantId, decided.tools) : Promise.resolve([] as ToolOutput[]),
    ]);

    let decided: Plan;
    let inputVerdict: SafetyVerdict;
    let gathered: Gathered;
    let toolOutputs: ToolOutput[];
    let choice: Awaited<ReturnType<typeof route>>;
    let question: string;
    if (shape.lean || patched('parallel-stages')) {
      // Plan, input screen and routing run side by side: a turn that needs no documents or tools reaches
      // generation after one round. Routing announces nothing (generate announces the chosen model when it
      // starts), so a blocked request ends without a model ever being selected for the client, and the
      // router estimates the sources from whether the tenant has documents instead of waiting for them.
      const routed = settled(route(routeInput(input.question)));
      [decided, inputVerdict] = await Promise.all([plan(planInput), preSafety(screenInput)]);
      const routing = await routed;
      if (inputVerdict.action === 'block') return await refuse(input, workflowId, inputVerdict.reasons, status, shape);
      if (!routing.ok) throw routing.error;
      choice = routing.value;
      question = screenedQuestion(inputVerdict, input.question);
      status.step = 'gathering';
      [gathered, toolOutputs] = await gatherStage(decided);
    } else {
      decided = await plan(planInput);
      status.step = 'gathering';
      [inputVerdict, [gathered, toolOutputs]] = await Promise.all([preSafety(screenInput), gatherStage(decided)]);
      if (inputVerdict.action === 'block') return await refuse(input, workflowId, inputVerdict.reasons, status, shape);
      question = screenedQuestion(inputVerdict, input.question);
      status.step = 'routing';
      choice = await route(routeInput(question, gathered.citations.length + toolOutputs.length));
    }
    model = choice.model;
    status.model = model;
    if (!shape.lean) upsertSearchAttributes([{ key: modelAttribute, value: model }]);

    // A model that supports OpenAI tool calling may add calls of its own, chosen from the question alone; its
    // outputs join the planner's (numbered after them as sources).
    if (choice.toolCalling && !input.fusion && (decided.availableTools?.length ?? 0) > 0 && (shape.lean || patched('model-tool-calls'))) {
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
    if (input.fusion && choice.fanOut) {
      // A fusion has no generate step to announce its models: the workflow does, before its child starts.
      const data = { model: choice.model, reason: choice.reason, fallbacks: choice.fallbacks.map((target) => target.model), fusion: choice.fanOut.map((candidate) => candidate.model) };
      await publishEvent({ workflowId, event: { type: 'model.selected', dedupeKey: 'model.selected', data } });
    }
    const generation = input.fusion && choice.fanOut
      ? await executeChild(fusionWorkflow, {
        workflowId: fusionWorkflowId(workflowId),
        args: [{ streamWorkflowId: workflowId, tenantId: input.tenantId, strategy: input.fusion.strategy, candidates: choice.fanOut, messages, maxTokens }],
        memo: { strategy: input.fusion.strategy, models: choice.fanOut.map((candidate) => candidate.model) },
        // Operators find a fusion run like its chat turn: by tenant, conversation, the models asked and the strategy.
        ...((shape.lean || patched('fusion-search-attributes')) ? {
          typedSearchAttributes: [
            { key: tenantAttribute, value: input.tenantId },
            { key: conversationAttribute, value: input.conversationId },
            { key: modelAttribute, value: choice.fanOut.map((candidate) => candidate.model).join('+') },
            { key: fusionStrategyAttribute, value: input.fusion.strategy },
          ],
        } : {}),
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
        ...(input.sampling ? { sampling: input.sampling } : {}),
        ...(input.generation ? { generation: input.generation } : {}),
        announce: { reason: choice.reason },
        workflowStartedAtMs: workflowInfo().startTime.getTime(),
      });
    answer = generation.text;
    served = { usage: generation.usage, ...(generation.usageByEndpoint ? { usageByEndpoint: generation.usageByEndpoint } : {}) };
    if (generation.model !== model) {
      // A failover or a fusion: record the model that actually answered.
      model = generation.model;
      status.model = model;
      if (!shape.lean) upsertSearchAttributes([{ key: modelAttribute, value: model }]);
    }

    status.step = 'checking';
    // A turn nothing reads once stored (a chat completion is its own conversation; a turn kept nowhere) is told
    // the answer is done as soon as it is checked. A conversation's next turn, or a Responses API continuation,
    // reads the stored turn, so those are told after it is stored.
    const announceEarly = shape.lean && (input.storeAfterAnswer === true || input.store === false);
    const outputVerdict = await (shape.lean ? postSafetyHere : postSafety)({
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
    await persistTurn(input, workflowId, { answer, model, outcome: 'completed', ...served, citations: gathered.citations }, shape, announceEarly);
    if (shape.lean || patched('usage-memo')) {
      // The Temporal UI's detail view shows what the run cost in tokens and how long it took (workflow time).
      upsertMemo({
        model,
        promptTokens: generation.usage.promptTokens,
        completionTokens: generation.usage.completionTokens,
        ...(generation.costMicros !== undefined ? { costUsd: generation.costMicros / 1_000_000 } : {}),
        latencyMs: Date.now() - workflowInfo().startTime.getTime(),
      });
    }
    finish(status, 'completed', shape, model);
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
      await (shape.lean ? publishEventHere : publishEvent)({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code, message, workflowId } } });
      // A turn that cannot be stored was charged by the failed persist itself; trying again would fail the same way.
      if (isPersistFailure(error) && (shape.lean || patched('persist-failure-charged'))) return;
      await persistTurn(input, workflowId, { answer, model, outcome, ...(served ?? { usage: servedUsage(error) }), citations: [] }, shape);
    });
    finish(status, outcome, shape, model);
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

function screenedQuestion(verdict: SafetyVerdict, question: string): string {
  return verdict.action === 'redact' && verdict.text ? verdict.text : question;
}

interface Gathered {
  citations: Citation[];
  skipped?: string;
}

/** Each call is its own runTools activity; a call that fails (runTools reports it as its tool.result) is left out. */
async function runToolCalls(workflowId: string, tenantId: string, calls: ToolCall[]): Promise<ToolOutput[]> {
  const outputs = await Promise.all(calls.map(async (call) => {
    try {
      return await runTools({ workflowId, tenantId, call });
    } catch (error) {
      // runTools told the client (its tool.result); the turn goes on without this output.
      if (isCancellation(error)) throw error;
      return null;
    }
  }));
  return outputs.filter((output): output is ToolOutput => output !== null);
}

/** Asks the routed model which tools to call, then runs them; without an answer from it the turn goes on without. */
async function modelToolCalls(
  workflowId: string,
  tenantId: string,
  choice: Pick<ModelChoice, 'model' | 'baseUrl' | 'provider'>,
  question: string,
  decided: Pick<Plan, 'history' | 'tools'>,
): Promise<ToolOutput[]> {
  let calls: ToolCall[];
  try {
    ({ calls } = await proposeToolCalls({ workflowId, tenantId, model: choice.model, baseUrl: choice.baseUrl, provider: choice.provider, question, history: decided.history, planned: decided.tools }));
  } catch (error) {
    if (isCancellation(error)) throw error;
    return [];
  }
  return calls.length > 0 ? runToolCalls(workflowId, tenantId, calls) : [];
}

async function retrieveOrSkip(workflowId: string, input: ChatTurnInput): Promise<Gathered> {
  try {
    return { citations: await retrieve({ workflowId, tenantId: input.tenantId, question: input.question }) };
  } catch (error) {
    if (isCancellation(error)) throw error;
    // retrieve told the client (its retrieval.citations); the prompt says why there are no documents.
    const cause = failureCause(error);
    return { citations: [], skipped: cause instanceof Error && cause.message ? cause.message : 'retrieval failed' };
  }
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
  shape: TurnShape,
  announced = false,
): Promise<void> {
  return (shape.lean ? persistHere : persist)({
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

async function refuse(input: ChatTurnInput, workflowId: string, reasons: string[], status: ChatTurnStatus, shape: TurnShape): Promise<ChatTurnResult> {
  await (shape.lean ? publishEventHere : publishEvent)({ workflowId, event: { type: 'error', dedupeKey: 'error', data: { code: 'blocked', message: 'The request was refused by the safety policy.', reasons, workflowId } } });
  await persistTurn(input, workflowId, { answer: '', outcome: 'blocked', usage: { promptTokens: 0, completionTokens: 0 }, citations: [] }, shape);
  finish(status, 'blocked', shape);
  return { outcome: 'blocked', answer: '', usage: { promptTokens: 0, completionTokens: 0 }, citations: [] };
}

/** The turn's end: a lean turn sets the model it was answered by together with its outcome, in one upsert. */
function finish(status: ChatTurnStatus, outcome: ChatOutcome, shape: TurnShape, model?: string): void {
  status.step = 'done';
  status.outcome = outcome;
  upsertSearchAttributes([
    ...(shape.lean && model !== undefined ? [{ key: modelAttribute, value: model }] : []),
    { key: outcomeAttribute, value: outcome },
  ]);
}

function validate(input: ChatTurnInput): void {
  const problems: string[] = [];
  for (const name of ['tenantId', 'requestId', 'conversationId'] as const) {
    if (!isIdentifier(input[name])) problems.push(`${name} must be 1-64 letters, digits, _ or -`);
  }
  if (typeof input.question !== 'string' || input.question.trim() === '') problems.push('question must be a non-empty string');
  else if (input.question.length > maxQuestionCharacters) problems.push(`question must be at most ${maxQuestionCharacters} characters`);
  if (input.maxTokens !== undefined && (!Number.isInteger(input.maxTokens) || input.maxTokens < 1)) problems.push('maxTokens must be a positive integer');
  problems.push(...clientContextProblems(input));
  if (input.fusion && !fusionStrategies.includes(input.fusion.strategy)) problems.push(`fusion.strategy must be one of ${fusionStrategies.join(', ')}`);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'bad_request');
}

/** A stateless client's history, instructions and sampling settings, checked before anything runs. */
function clientContextProblems(input: ChatTurnInput): string[] {
  const problems: string[] = [];
  for (const [name, messages] of [['history', input.history], ['continuation', input.continuation]] as const) {
    if (messages === undefined) continue;
    if (!Array.isArray(messages) || messages.length > maxHistoryMessages) problems.push(`${name} must be a list of at most ${maxHistoryMessages} messages`);
    else if (messages.some((message) => !['user', 'assistant', 'tool'].includes(message.role) || typeof message.content !== 'string')) problems.push(`${name} messages need a role (user, assistant or tool) and a text content`);
  }
  if (input.instructions !== undefined && typeof input.instructions !== 'string') problems.push('instructions must be a string');
  const contextLength = (input.history ?? []).reduce((sum, message) => sum + (typeof message.content === 'string' ? message.content.length : 0), 0) + (input.instructions?.length ?? 0);
  if (contextLength > maxContextCharacters) problems.push(`history and instructions must be at most ${maxContextCharacters} characters`);
  const { temperature, topP, stop } = input.sampling ?? {};
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) problems.push('sampling.temperature must be between 0 and 2');
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) problems.push('sampling.topP must be between 0 and 1');
  if (stop !== undefined && (!Array.isArray(stop) || stop.length > 4 || stop.some((each) => typeof each !== 'string'))) problems.push('sampling.stop must be at most 4 strings');
  const { seed, frequencyPenalty, presencePenalty, topLogprobs } = input.sampling ?? {};
  if (seed !== undefined && !Number.isInteger(seed)) problems.push('sampling.seed must be an integer');
  for (const [name, value] of [['frequencyPenalty', frequencyPenalty], ['presencePenalty', presencePenalty]] as const) {
    if (value !== undefined && !(value >= -2 && value <= 2)) problems.push(`sampling.${name} must be between -2 and 2`);
  }
  if (topLogprobs !== undefined && !(Number.isInteger(topLogprobs) && topLogprobs >= 0 && topLogprobs <= 20)) problems.push('sampling.topLogprobs must be an integer from 0 to 20');
  return problems;
}

/**
 * What the model served before a cancelled or failed generate: generate attaches it to its failure, so it is
 * in this history. The prompt side is left to the gateway's estimate (no usage report arrived); zero when the
 * failure came from elsewhere (persist then counts what the event stream holds).
 */
function servedUsage(error: unknown): Usage {
  const cause = failureCause(error);
  const detail = cause !== error && (cause instanceof CancelledFailure || cause instanceof ApplicationFailure) ? cause.details?.[0] : undefined;
  const completionTokens = (detail as Partial<Usage> | undefined)?.completionTokens;
  return { promptTokens: 0, completionTokens: typeof completionTokens === 'number' && completionTokens >= 0 ? completionTokens : 0 };
}

/**
 * The persist step refused the turn for good (Postgres rejects its data); it charged what was served first. A
 * regular activity's failure arrives wrapped in an ActivityFailure, a local activity's as the failure itself.
 */
function isPersistFailure(error: unknown): boolean {
  return failureType(error) === 'persist_failed';
}

function describeFailure(error: unknown, outcome: ChatOutcome): { code: ErrorCode | string; message: string } {
  if (outcome === 'cancelled') return { code: 'cancelled', message: 'The request was cancelled.' };
  // A fusion child's failure reaches the client as internal (as it always has); a step's failure by its code.
  const cause = error instanceof ChildWorkflowFailure ? error : failureCause(error);
  if (cause instanceof ApplicationFailure && cause.type) {
    if (cause.type === 'bad_request' || cause.type === 'model_unavailable' || cause.type === 'persist_failed') return { code: cause.type, message: cause.message };
    return { code: cause.type, message: 'The answer could not be completed.' };
  }
  return { code: 'internal', message: 'The answer could not be completed.' };
}
