// Multi-model generation: one request fanned out to several models in parallel, their answers fused by
// strategy (first, voting, ranking, merging). Runs as a child of the chat turn: each model's answer is an
// activity result, the decision is in the memo and the result, all visible in the Temporal UI. The fused
// answer reaches the client as ordinary answer deltas on the parent's stream.
import { ApplicationFailure, CancellationScope, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { FusionActivities } from '../activities/fusion/index.js';
import type { CandidateResult } from '../activities/fusion/generate-candidate.js';
import type { EndpointUsage, GenerationResult } from '../domain/chat/chat-request.js';
import type { ChatMessage } from '../domain/chat/prompt.js';
import type { FusionCandidate } from '../domain/routing/fusion-candidate.js';
import { fuseAnswers, type FusionStrategy } from '../domain/routing/fusion.js';
import * as presets from './activity-options.js';

const { generateCandidate } = proxyActivities<FusionActivities>(presets.candidateOptions);
const { publishAnswer } = proxyActivities<FusionActivities>(presets.publishAnswerOptions);

export interface FusionInput {
  /** The chat turn whose stream receives the answer. */
  streamWorkflowId: string;
  tenantId: string;
  strategy: FusionStrategy;
  candidates: FusionCandidate[];
  messages: ChatMessage[];
  maxTokens: number;
}

export async function fusionWorkflow(input: FusionInput): Promise<GenerationResult> {
  if (input.candidates.length === 0) throw ApplicationFailure.nonRetryable('fusion needs at least one model', 'bad_request');
  const ask = (candidate: FusionCandidate) => generateCandidate({ candidate, messages: input.messages, maxTokens: input.maxTokens });
  const { answers, failed } = input.strategy === 'first'
    ? { answers: [await firstAnswer(input.candidates.map((candidate) => () => ask(candidate)))], failed: [] }
    : await allAnswers(input.candidates, ask);

  const decision = fuseAnswers(input.strategy, answers);
  upsertMemo({
    fusion: {
      strategy: decision.strategy,
      winner: decision.winner ?? 'merged',
      confidence: decision.confidence,
      reason: decision.reason,
      scores: decision.scores,
      answered: answers.map((answer) => answer.model),
    },
  });
  const text = await publishAnswer({ workflowId: input.streamWorkflowId, tenantId: input.tenantId, text: decision.text });
  // Every call is a ledger entry: each answer, and each model that failed (nothing served, counted as its error).
  const usageByEndpoint: EndpointUsage[] = [
    ...answers.map((answer) => ({ model: answer.model, baseUrl: answer.baseUrl, ...answer.usage, estimated: false, latencyMs: answer.latencyMs, answered: true })),
    ...failed.map((candidate) => ({ model: candidate.model, baseUrl: candidate.baseUrl, promptTokens: 0, completionTokens: 0, estimated: true, failed: true })),
  ];
  return {
    text,
    usage: {
      promptTokens: usageByEndpoint.reduce((sum, usage) => sum + usage.promptTokens, 0),
      completionTokens: usageByEndpoint.reduce((sum, usage) => sum + usage.completionTokens, 0),
    },
    model: decision.winner ?? answers.map((answer) => answer.model).join('+'),
    finishReason: 'stop',
    resumedFromOffset: 0,
    usageByEndpoint,
    fusion: decision,
    fusionAnswers: answers.map((answer) => ({ model: answer.model, text: answer.text, latencyMs: answer.latencyMs, usage: answer.usage, costUsd: answer.costUsd, finishReason: answer.finishReason })),
  };
}

/** Every answer that arrives; models that fail are left out of the fusion (and reported). */
async function allAnswers(candidates: FusionCandidate[], ask: (candidate: FusionCandidate) => Promise<CandidateResult>): Promise<{ answers: CandidateResult[]; failed: FusionCandidate[] }> {
  const settled = await Promise.allSettled(candidates.map(ask));
  const answers = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  if (answers.length === 0) throw ApplicationFailure.create({ message: 'no model answered the fusion request', type: 'model_unavailable' });
  return { answers, failed: candidates.filter((_, index) => settled[index]!.status === 'rejected') };
}

/** The first answer to arrive; the other requests are cancelled. */
async function firstAnswer(starters: (() => Promise<CandidateResult>)[]): Promise<CandidateResult> {
  const scope = new CancellationScope();
  const pending = await scope.run(async () => starters.map((start) => start()));
  try {
    return await new Promise<CandidateResult>((resolve, reject) => {
      let failed = 0;
      for (const attempt of pending) {
        attempt.then(resolve, () => {
          failed += 1;
          if (failed === pending.length) reject(ApplicationFailure.create({ message: 'no model answered the fusion request', type: 'model_unavailable' }));
        });
      }
    });
  } finally {
    scope.cancel();
  }
}
