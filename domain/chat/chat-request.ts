import type { Usage } from './events.js';
import type { ModelTarget } from '../routing/model-registration.js';
import type { FusionDecision, FusionStrategy } from '../routing/fusion.js';
import type { FusionCandidate } from '../routing/fusion-candidate.js';
import type { ContentPart, GenerationOptions, RequiredCapability, ServerSampling, ToolCallRequest } from './model-request.js';

export interface ChatTurnInput {
  tenantId: string;
  requestId: string;
  conversationId: string;
  userId?: string;
  question: string;
  /** The question's text and image parts in order, when it has images (`question` is its text). */
  questionParts?: ContentPart[];
  /** Model the client asked for, if any; the router decides whether it may be used. */
  model?: string;
  maxTokens?: number;
  /** The tenant's tier (from the gateway): decides which models it may use. `free` when absent. */
  tier?: string;
  /** Ask several models in parallel and fuse their answers. */
  fusion?: FusionRequest;
  /**
   * Earlier turns sent with the request by a stateless client (the OpenAI-compatible API); when present they
   * replace the stored conversation as the model's history.
   */
  history?: HistoryMessage[];
  /** The client's own system/developer instructions, added to Ragtime's system prompt. */
  instructions?: string;
  sampling?: Sampling;
  /**
   * Messages after the question when the request continues a tool round trip: the assistant's tool calls and
   * the client's `tool` results, in order (the model reads them after the question).
   */
  continuation?: HistoryMessage[];
  /** The client's function tools and output format, passed to the model server (see model-request.ts). */
  generation?: GenerationOptions;
  /** What the request needs of the model: the router picks, and fails over to, only models that have it. */
  requires?: RequiredCapability[];
  /** The gateway's budget reservation for this request: the workflow settles it when the turn is stored. */
  billing?: TurnBilling;
  /**
   * `false`: keep nothing of the turn (the Responses API's `store: false`): its usage is settled, but no turn is
   * stored, so it is not in any conversation and cannot be continued. Stored when absent.
   */
  store?: boolean;
  /**
   * Nothing reads this turn once stored before the client's next request could (a chat completion is its own
   * conversation): the client is told the answer is done as soon as it is checked, and the turn is stored after.
   */
  storeAfterAnswer?: boolean;
}

/**
 * What the gateway reserved when it admitted the request. The workflow's persist step settles the reservation
 * with what every endpoint served, in the turn's own transaction, whichever API instance started it.
 */
export interface TurnBilling {
  /** The ledger row's request id (the reservation id). */
  reservationId: string;
  userId: string;
  tier: string;
  /** The gate's estimate of the prompt, charged when a stream ended without a usage report. */
  estimatedPromptTokens: number;
  estimatedMicros: number;
}

/** Sampling settings passed through to the model server exactly as the client sent them. */
export interface Sampling {
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** Token id → bias (-100…100). */
  logitBias?: Record<string, number>;
  logprobs?: boolean;
  topLogprobs?: number;
  /** Model-server-specific settings (top_k, min_p, …), allowed per model by the registry. */
  server?: ServerSampling;
}

export interface FusionRequest {
  strategy: FusionStrategy;
  /** Models to ask; the router picks them when absent. */
  models?: string[];
  /** Without `models`: how many the router picks (at most the worker's FUSION_MAX_MODELS). */
  count?: number;
}

/**
 * A message of the conversation before (or, in `continuation`, after) the question. `content` is always the
 * text (a user message's text parts joined); `parts` keeps a user message's text and images in order when it
 * has images; an assistant message may carry tool calls, and a `tool` message answers one of them.
 */
export interface HistoryMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  parts?: ContentPart[];
  toolCalls?: ToolCallRequest[];
  toolCallId?: string;
}

export interface Plan {
  mode: 'direct' | 'rag';
  useRetrieval: boolean;
  /** Tool calls the planner decided on, with their arguments. */
  tools: ToolCall[];
  /** Tools the tenant may use: a tool-calling model may pick among these after routing. */
  availableTools?: string[];
  reason: string;
  history: HistoryMessage[];
}

export interface Citation {
  index: number;
  documentId: string;
  title: string;
  source: string;
  snippet: string;
  score: number;
  /** Where in the document: its heading path and the chunk's ordinal (absent in turns stored before they were kept). */
  headingPath?: string[];
  position?: number;
}

export interface SafetyVerdict {
  action: 'allow' | 'redact' | 'block';
  /** Why, without quoting the text: shown in the Temporal UI. */
  reasons: string[];
  /** The text to use downstream when the verdict redacts. */
  text?: string;
  /** Output checks: the answer to keep when lines restating the source list were taken out. */
  answer?: string;
  /** The client's history and instructions as screened (redacted where the verdict redacts), in input order. */
  context?: string[];
  /** Categories the policy acted on. */
  categories?: string[];
  /** Output checks of a tool-calling answer: each client tool call's arguments as they may be kept. */
  toolArguments?: string[];
}

/** One call of a tool: who decided it (`plan-n` by the planner, `model-n` by a tool-calling model) and with what. */
export interface ToolCall {
  id: string;
  tool: string;
  arguments: Record<string, unknown>;
}

export interface ToolOutput {
  tool: string;
  content: string;
  /** Where the content came from: the fetched URL or a description of the call. */
  source: string;
  /** The call that produced it (absent in histories recorded before tool calls had ids). */
  callId?: string;
  title?: string;
}

export interface ModelChoice {
  model: string;
  baseUrl: string;
  /** Protocol of the endpoint; OpenAI-compatible when absent (histories recorded before providers). */
  provider?: ModelTarget['provider'];
  /** Next models to try if this one fails, in order. */
  fallbacks: (Omit<ModelTarget, 'provider'> & Partial<Pick<ModelTarget, 'provider'>>)[];
  reason: string;
  /** For a fusion request: the models to ask in parallel. */
  fanOut?: FusionCandidate[];
}

/** What one endpoint produced for a request, charged separately when an answer fails over. */
export interface EndpointUsage extends Usage {
  model: string;
  baseUrl: string;
  /** Counted from the stream (the endpoint failed before reporting usage). */
  estimated: boolean;
  /** The call's own duration, when the worker measured it (fusion answers). */
  latencyMs?: number;
  /** A whole answer (fusion); absent: every endpoint but the last failed over to the next. */
  answered?: boolean;
  /** A fusion model that gave no answer (its error; it served nothing). */
  failed?: boolean;
}

export interface GenerationResult {
  text: string;
  usage: Usage;
  model: string;
  finishReason: string;
  resumedFromOffset: number;
  /** Per endpoint, in the order they served (more than one after a failover). */
  usageByEndpoint?: EndpointUsage[];
  /** What the endpoints' usage cost at their prices, in micro-USD (absent without a price list). */
  costMicros?: number;
  /** How the answers of a fusion request were combined. */
  fusion?: FusionDecision;
  /** The client tools the model called (arguments as published: redacted where the output policy redacts). */
  toolCalls?: ToolCallRequest[];
  /** Each model's own answer of a fusion request. */
  fusionAnswers?: FusionAnswer[];
}

/** One model's answer to a fusion request, as the fusion workflow returns it. */
export interface FusionAnswer {
  model: string;
  text: string;
  latencyMs: number;
  usage: Usage;
  costUsd: number;
  finishReason: string;
}

/** A fusion request's outcome: the decision and every answer it weighed. */
export interface FusionOutcome {
  workflowId: string;
  decision: FusionDecision;
  answers: FusionAnswer[];
}

export type ChatOutcome = 'completed' | 'blocked' | 'cancelled' | 'failed';

export interface ChatTurnResult {
  outcome: ChatOutcome;
  answer: string;
  model?: string;
  usage: Usage;
  citations: Citation[];
  /** Findings of the post-generation check that did not block the answer. */
  safetyNotes?: string[];
  /** A fusion request's decision and answers (the fusion child workflow's result). */
  fusion?: FusionOutcome;
  /** The client tools the model called; the client runs them and continues with `tool` messages. */
  toolCalls?: ToolCallRequest[];
  /** Why generation stopped as the model server said it (`stop`, `length`, `tool_calls`, `content_filter`). */
  finishReason?: string;
}

export type ChatStep = 'planning' | 'gathering' | 'routing' | 'generating' | 'checking' | 'persisting' | 'done';

export interface ChatTurnStatus {
  step: ChatStep;
  model?: string;
  outcome?: ChatOutcome;
}
