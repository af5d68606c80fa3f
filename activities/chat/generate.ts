// Streams the answer from the model into the request's event stream. Tokens never enter workflow history:
// only the final text and usage are returned. The output filter releases only text that is safe to publish
// (PII split across deltas is caught before the client sees it). A retry (worker crash, upstream error)
// continues from the text the client already received, which the event stream itself records. The stream is
// the client's copy, not the only one: generate holds what it published (AnswerLog, also in its heartbeat
// details) and restores a stream Redis lost, so a resuming client still gets every character once.
//
// Mid-stream failover: when the serving endpoint fails, stalls (no token within the stall timeout) or its
// circuit is open, the next endpoint of the chain continues the same assistant message from the text
// already published, after a `model.failover` event. Each endpoint is charged for what it produced.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { ChatMessage } from '../../domain/chat/prompt.js';
import type { EndpointUsage, GenerationResult, Sampling } from '../../domain/chat/chat-request.js';
import type { GenerationOptions, TokenLogprob, ToolCallRequest } from '../../domain/chat/model-request.js';
import type { Usage } from '../../domain/chat/events.js';
import { costMicros, type PriceList } from '../../domain/gateway/pricing.js';
import type { FilteredOutput, OutputFilter } from '../../domain/chat/ports.js';
import type { ModelTarget } from '../../domain/routing/model-registration.js';
import { approximateTokens } from '../../domain/routing/task-complexity.js';
import { ModelError, StreamOffsetConflict } from '../../domain/chat/errors.js';
import { RagtimeError } from '../../domain/errors.js';
import { toApplicationFailure } from '../application-failure.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { AnswerLog, type AnswerLogSnapshot } from './answer-log.js';
import { streamWithDeadlines, type TimedStream } from './timed-stream.js';
import { PublishWindow } from './publish-window.js';
import { ToolCallStream, type ToolCallFragment } from './tool-call-stream.js';

type Target = Omit<ModelTarget, 'provider'> & Partial<Pick<ModelTarget, 'provider'>>;

export interface GenerateInput {
  workflowId: string;
  tenantId: string;
  model: string;
  baseUrl: string;
  provider?: ModelTarget['provider'];
  /** Endpoints that continue the answer when the current one fails, in order. */
  fallbacks?: Target[];
  messages: ChatMessage[];
  maxTokens: number;
  sampling?: Sampling;
  /** The client's function tools and output format, forwarded to the model server. */
  generation?: GenerationOptions;
  /** Publish `model.selected` for the primary before generating: generate owns that event (absent in older histories). */
  announce?: { reason: string };
  /** When the workflow started (epoch ms): the first published text measures time to first token. */
  workflowStartedAtMs?: number;
}

export interface GenerateProgress {
  offset: number;
  completionTokens: number;
  /** Index in [primary, ...fallbacks] of the endpoint serving when this was recorded. */
  target?: number;
  /** What each endpoint produced so far, the serving one last. */
  usageByEndpoint?: EndpointUsage[];
  /** The answer published so far, to restore the stream if Redis lost it. */
  answer?: AnswerLogSnapshot;
  /** Client tool calls published so far: a retry publishes only what comes after them. */
  toolCalls?: ToolCallRequest[];
}

const passThrough: OutputFilter = {
  push: (text) => ({ text, redactions: [], blocked: false }),
  end: () => ({ text: '', redactions: [], blocked: false }),
};

/** Heartbeats keep flowing while an endpoint is silent, so a stall is ours to detect, not the server's. */
const heartbeatIntervalMs = 1_000;
/** How long a publish waits out a Redis that does not answer (a restart, a failover) before the attempt fails. */
const publishRetryMs = 5_000;

export function createGenerateActivity(deps: ChatActivityDependencies) {
  return async function generate(input: GenerateInput): Promise<GenerationResult> {
    const context = Context.current();
    const previous = context.info.heartbeatDetails as GenerateProgress | undefined;
    const { log, restored } = await AnswerLog.open(deps.events, input.workflowId, previous?.answer);
    if (restored > 0) context.log.warn('the event stream had lost answer text; restored it from the heartbeat', { restored, offset: log.text.length });
    const resumedFromOffset = log.text.length;
    const targets: Target[] = [{ model: input.model, baseUrl: input.baseUrl, provider: input.provider }, ...(input.fallbacks ?? [])];
    const ledger: EndpointUsage[] = previous?.usageByEndpoint ?? [];
    if (!previous?.usageByEndpoint && previous?.completionTokens) {
      ledger.push({ model: input.model, baseUrl: input.baseUrl, promptTokens: 0, completionTokens: previous.completionTokens, estimated: true });
    }
    let index = Math.min(previous?.target ?? 0, targets.length - 1);
    let current: EndpointUsage | undefined;
    const produced = () => ledger.reduce((sum, entry) => sum + entry.completionTokens, 0) + (current?.completionTokens ?? 0);
    /** What the endpoints served so far: travels with a cancellation or a final failure so the turn is charged it. */
    const served = (): ServedUsage => ({
      promptTokens: ledger.reduce((sum, entry) => sum + entry.promptTokens, 0) + (current?.promptTokens ?? 0),
      completionTokens: produced(),
      servedTokens: true,
    });
    const newFilter = async () => (deps.safety ? await deps.safety.outputFilter(input.tenantId) : passThrough);
    const toolCalls = new ToolCallStream(previous?.toolCalls, newFilter);
    const beat = () => context.heartbeat({
      offset: log.text.length, completionTokens: produced(), target: index, usageByEndpoint: current ? [...ledger, current] : ledger, answer: log.snapshot(),
      ...(toolCalls.any ? { toolCalls: toolCalls.snapshot() } : {}),
    } satisfies GenerateProgress);
    const heartbeats = setInterval(beat, heartbeatIntervalMs);
    if (input.announce) {
      await log.publish({
        type: 'model.selected',
        dedupeKey: 'model.selected',
        data: { model: input.model, reason: input.announce.reason, fallbacks: (input.fallbacks ?? []).map((target) => target.model) },
      });
    }
    const breakers = deps.routing?.breakers;
    const failures: string[] = [];
    // Token log probabilities, when asked: published once at the end (never into history), and withheld when the
    // output policy redacted anything, since the tokens would show what was redacted.
    const logprobs: TokenLogprob[] | undefined = input.sampling?.logprobs ? [] : undefined;
    let redacted = false;

    // Released text is written one window at a time (see PublishWindow); log.text is what the stream holds.
    const outbox = new PublishWindow((output) => publishOutput(output));
    const publish = async (output: FilteredOutput): Promise<void> => {
      try {
        outbox.push(output);
      } catch (error) {
        throw new PublishFailure(error);
      }
    };
    const published = (): Promise<void> => outbox.flush().catch((error: unknown) => {
      throw new PublishFailure(error);
    });
    const publishOutput = async (output: FilteredOutput): Promise<void> => {
      if (output.redactions.length > 0) {
        redacted = true;
        const offset = log.text.length;
        await patiently(() => log.publish({
          type: 'safety.redaction',
          dedupeKey: `safety.redaction:${offset}`,
          data: { offset, blocked: output.blocked, redactions: output.redactions },
        }), context.cancellationSignal);
      }
      if (output.text) {
        const first = log.text.length === 0;
        await patiently(() => log.append(output.text), context.cancellationSignal);
        if (first && input.workflowStartedAtMs !== undefined) {
          deps.observer?.firstToken(targets[index]!.model, (Date.now() - input.workflowStartedAtMs) / 1000);
        }
      }
    };

    try {
      for (; index < targets.length; index += 1) {
        const target = targets[index]!;
        if (breakers && !(await breakers.acquire(target.baseUrl))) {
          failures.push(`${target.model}: circuit open`);
          await announceFailover(index, 'circuit open');
          continue;
        }
        // A fresh filter per endpoint: text it held back was never published, so the next endpoint writes it again.
        const filter = await newFilter();
        toolCalls.beginEndpoint();
        const promptTokens = approximateTokens(input.messages.map((message) => message.content).join('\n') + log.text);
        current = { model: target.model, baseUrl: target.baseUrl, promptTokens, completionTokens: 0, estimated: true };
        const upstream = new AbortController();
        const stream: TimedStream = streamWithDeadlines(
          (signal) => deps.chatModel.stream({
            provider: target.provider,
            baseUrl: target.baseUrl,
            model: target.model,
            messages: input.messages,
            maxTokens: Math.max(1, input.maxTokens - produced()),
            ...input.sampling,
            ...(input.generation ? { generation: input.generation } : {}),
            assistantPrefix: log.text || undefined,
            signal: AbortSignal.any([context.cancellationSignal, upstream.signal, signal]),
          }),
          deps.routing ? { firstTokenMs: deps.routing.firstTokenTimeoutMs, stallMs: deps.routing.stallTimeoutMs } : undefined,
        );
        let usage: Usage | undefined;
        let finishReason = 'stop';
        try {
          for await (const chunk of stream.chunks) {
            if (chunk.type === 'delta') {
              current.completionTokens += 1;
              if (chunk.logprobs) logprobs?.push(...chunk.logprobs);
              const output = filter.push(chunk.text);
              await publish(output);
              if (output.blocked) {
                finishReason = 'content_filter';
                upstream.abort();
                break;
              }
            } else if (chunk.type === 'tool_call') {
              current.completionTokens += 1;
              if (await publishToolCalls(await toolCalls.push(chunk))) {
                finishReason = 'content_filter';
                upstream.abort();
                break;
              }
            } else if (chunk.type === 'usage') {
              usage = chunk.usage;
            } else {
              finishReason = chunk.reason;
            }
          }
          if (finishReason !== 'content_filter') {
            await publish(filter.end());
            await publishToolCalls(toolCalls.end());
          }
          await published();
        } catch (error) {
          if (context.cancellationSignal.aborted) throw new CancelledFailure('generation cancelled', [served()]);
          if (error instanceof PublishFailure) throw toApplicationFailure(error.cause);
          if (error instanceof ApplicationFailure) throw error;
          if (error instanceof ModelError && !error.retryable) throw toApplicationFailure(error);
          // The next endpoint continues from what the stream holds.
          await published().catch((failure: unknown) => {
            throw toApplicationFailure(failure instanceof PublishFailure ? failure.cause : failure);
          });
          if (current.completionTokens > 0) ledger.push(current);
          current = undefined;
          const reason = stream.timedOut ?? (error instanceof Error ? error.message : String(error));
          failures.push(`${target.model}: ${reason}`);
          await breakers?.recordFailure(target.baseUrl);
          await announceFailover(index, reason);
          continue;
        }
        if (logprobs) {
          await patiently(() => log.publish({
            type: 'answer.logprobs',
            dedupeKey: 'answer.logprobs',
            data: redacted || finishReason === 'content_filter' ? { content: null, withheld: 'redacted' } : { content: logprobs },
          }), context.cancellationSignal);
        }
        if (usage) Object.assign(current, { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens || current.completionTokens, estimated: false });
        ledger.push(current);
        current = undefined;
        await breakers?.recordSuccess(target.baseUrl);
        const timing = stream.timing();
        if (deps.routing && timing) await deps.routing.latency.record(target.model, target.baseUrl, timing);
        const cost = deps.prices ? await costOf(deps.prices, ledger) : undefined;
        return {
          text: log.text,
          usage: { promptTokens: ledger.reduce((sum, entry) => sum + entry.promptTokens, 0), completionTokens: produced() },
          model: target.model,
          finishReason,
          resumedFromOffset,
          usageByEndpoint: ledger,
          ...(cost !== undefined ? { costMicros: cost } : {}),
          ...(toolCalls.any ? { toolCalls: toolCalls.snapshot() } : {}),
        };
      }
      // Every endpoint failed: the next attempt (Temporal's retry) walks the chain again from the start.
      index = 0;
      beat();
      throw toApplicationFailure(new RagtimeError('model_unavailable', `every model endpoint failed: ${failures.join('; ')}`, { retryable: true, details: { ...served() } }));
    } finally {
      clearInterval(heartbeats);
      await outbox.close();
    }

    /**
     * Publishes tool-call fragments after the text released before them, in order; a fragment's dedupe key is
     * its call and offset, so a retried publish adds nothing. Returns whether the output policy blocked one.
     */
    async function publishToolCalls(fragments: ToolCallFragment[]): Promise<boolean> {
      if (fragments.length === 0) return false;
      await published();
      for (const fragment of fragments) {
        const { redactions, blocked, ...data } = fragment;
        if (redactions.length > 0 || blocked) {
          await patiently(() => log.publish({
            type: 'safety.redaction',
            dedupeKey: `safety.redaction:tool_call:${fragment.index}:${fragment.offset}`,
            data: { toolCallIndex: fragment.index, offset: fragment.offset, blocked, redactions },
          }), context.cancellationSignal);
        }
        await patiently(() => log.publish({ type: 'answer.tool_call', dedupeKey: `answer.tool_call:${fragment.index}:${fragment.offset}`, data: { ...data } }), context.cancellationSignal)
          .catch((error: unknown) => {
            throw new PublishFailure(error);
          });
      }
      return fragments.some((fragment) => fragment.blocked);
    }

    async function announceFailover(from: number, reason: string): Promise<void> {
      const next = targets[from + 1];
      if (!next) return;
      const source = targets[from]!;
      await log.publish({
        type: 'model.failover',
        dedupeKey: `model.failover:${context.info.attempt}:${from}`,
        data: { from: source.model, fromEndpoint: source.baseUrl, to: next.model, toEndpoint: next.baseUrl, reason, offset: log.text.length },
      });
    }
  };
}

/**
 * The tokens the endpoints served before a cancellation or a final failure, as failure details: the workflow
 * reads them from its history and charges the turn. Prompt tokens are estimated (no usage report arrived).
 */
export interface ServedUsage extends Usage {
  servedTokens: true;
}

/** Each endpoint's usage at its own price. */
async function costOf(prices: PriceList, ledger: EndpointUsage[]): Promise<number> {
  let total = 0;
  for (const entry of ledger) total += costMicros(await prices.priceOf(entry.model), entry);
  return total;
}

/**
 * Retries a publish while Redis does not answer (restarting, failing over), for a few seconds: the answer
 * keeps its place in this attempt instead of starting over. A conflicting offset is not retried here.
 */
async function patiently<T>(operation: () => Promise<T>, cancelled: AbortSignal): Promise<T> {
  const deadline = Date.now() + publishRetryMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StreamOffsetConflict || cancelled.aborted || Date.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The event stream failed, not the endpoint: no failover, the activity retries. */
class PublishFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('publishing to the event stream failed');
  }
}
