// One model's whole answer for a fusion request. Nothing reaches the client from here: the fusion workflow
// publishes the fused answer. The answer is the activity's result, so every model's answer is visible in
// the Temporal UI. Breakers and latency averages learn from these calls like from streamed ones.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ChatMessage } from '../../domain/chat/prompt.js';
import type { Usage } from '../../domain/chat/events.js';
import type { FusionCandidate } from '../../domain/routing/fusion-candidate.js';
import type { CandidateAnswer } from '../../domain/routing/fusion.js';
import { approximateTokens } from '../../domain/routing/task-complexity.js';
import { ModelError } from '../../domain/chat/errors.js';
import { toApplicationFailure } from '../application-failure.js';
import type { ChatActivityDependencies } from '../chat/dependencies.js';
import { streamWithDeadlines } from '../chat/timed-stream.js';

export interface GenerateCandidateInput {
  candidate: FusionCandidate;
  messages: ChatMessage[];
  maxTokens: number;
}

export interface CandidateResult extends CandidateAnswer {
  baseUrl: string;
  usage: Usage;
}

export function createGenerateCandidateActivity(deps: ChatActivityDependencies) {
  return async function generateCandidate(input: GenerateCandidateInput): Promise<CandidateResult> {
    const routing = deps.routing;
    if (!routing) throw ApplicationFailure.nonRetryable('routing is not configured on this worker', 'model_unavailable');
    const context = Context.current();
    const { candidate } = input;
    if (!(await routing.breakers.acquire(candidate.baseUrl))) {
      throw ApplicationFailure.retryable(`${candidate.model}: circuit open`, 'model_unavailable');
    }
    const started = performance.now();
    const stream = streamWithDeadlines(
      (signal) => deps.chatModel.stream({
        provider: candidate.provider,
        baseUrl: candidate.baseUrl,
        model: candidate.model,
        messages: input.messages,
        maxTokens: input.maxTokens,
        signal: AbortSignal.any([context.cancellationSignal, signal]),
      }),
      { firstTokenMs: routing.firstTokenTimeoutMs, stallMs: routing.stallTimeoutMs },
    );
    let text = '';
    let deltas = 0;
    let finishReason = 'stop';
    let usage: Usage | undefined;
    try {
      for await (const chunk of stream.chunks) {
        if (chunk.type === 'delta') {
          text += chunk.text;
          deltas += 1;
          context.heartbeat(deltas);
        } else if (chunk.type === 'usage') usage = chunk.usage;
        else if (chunk.type === 'finish') finishReason = chunk.reason;
      }
    } catch (error) {
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason ?? error;
      if (error instanceof ModelError && !error.retryable) throw toApplicationFailure(error);
      await routing.breakers.recordFailure(candidate.baseUrl);
      throw ApplicationFailure.retryable(`${candidate.model}: ${stream.timedOut ?? (error as Error).message}`, 'model_unavailable');
    }
    await routing.breakers.recordSuccess(candidate.baseUrl);
    const timing = stream.timing();
    if (timing) await routing.latency.record(candidate.model, candidate.baseUrl, timing);
    const spent = usage ?? { promptTokens: approximateTokens(input.messages.map((message) => message.content).join('\n')), completionTokens: deltas };
    return {
      model: candidate.model,
      baseUrl: candidate.baseUrl,
      text,
      latencyMs: Math.round(performance.now() - started),
      costUsd: spent.promptTokens * candidate.inputPrice + spent.completionTokens * candidate.outputPrice,
      weight: candidate.weight,
      finishReason,
      usage: spent,
    };
  };
}
