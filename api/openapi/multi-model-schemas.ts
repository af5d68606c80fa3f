// Response schemas of the multi-model routes (/v1/fusion, /v1/providers, /v1/providers/{model}/metrics), as
// TypeBox: fastify serializes with them and /openapi.json publishes them.
import { Type } from '@sinclair/typebox';

const nullableNumber = Type.Union([Type.Number(), Type.Null()]);
const nullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const Usage = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() });

export const FusionAnswer = Type.Object({
  model: Type.String(),
  answer: Type.String(),
  latency_ms: Type.Integer({ description: 'The model\'s own time for the whole answer' }),
  usage: Usage,
  cost_usd: Type.Number(),
  finish_reason: Type.String(),
  score: nullableNumber,
});

export const FusionResult = Type.Object({
  id: Type.String(),
  object: Type.Literal('fusion'),
  created: Type.Integer(),
  strategy: Type.Union([Type.Literal('first'), Type.Literal('voting'), Type.Literal('ranking'), Type.Literal('merging')]),
  outcome: Type.Union([Type.Literal('completed'), Type.Literal('blocked')]),
  answer: Type.String({ description: 'The fused answer' }),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: 'The strategy\'s confidence in the fused answer' }),
  winner: Type.Union([Type.String(), Type.Null()], { description: 'The model whose answer was chosen; null when merged (or blocked)' }),
  reason: Type.String(),
  answers: Type.Array(FusionAnswer, { description: 'Every model\'s own answer' }),
  attribution: Type.Optional(Type.Array(Type.Object({ sentence: Type.String(), models: Type.Array(Type.String()) }))),
  usage: Usage,
  cost_usd: Type.Number(),
  latency_ms: Type.Integer({ description: 'The whole request, admission to answer' }),
  workflow_id: Type.String(),
  fusion_workflow_id: Type.Union([Type.String(), Type.Null()]),
});

const Latency = Type.Object({
  p50_ms: nullableInteger,
  p95_ms: nullableInteger,
  p99_ms: Type.Optional(nullableInteger),
  samples: Type.Integer(),
  window_seconds: Type.Integer(),
  ttft_ms_average: nullableNumber,
  ms_per_token_average: nullableNumber,
});

export const Provider = Type.Object({
  model: Type.String(),
  provider: Type.String({ description: 'The endpoint\'s protocol: openai-compatible (vLLM, llama.cpp, OpenAI) or anthropic' }),
  endpoint_id: Type.String({ description: 'A stable id of the endpoint (its URL only for operators)' }),
  endpoint: Type.Optional(Type.String()),
  environment: Type.String(),
  status: Type.Union([Type.Literal('ready'), Type.Literal('disabled')]),
  health: Type.Object({
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy'), Type.Literal('unknown')]),
    last_check: Type.Union([Type.String(), Type.Null()]),
    last_probe: Type.Union([Type.String(), Type.Null()]),
  }),
  circuit: Type.Object({
    state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]),
    consecutive_failures: Type.Integer(),
    retry_at: Type.Union([Type.String(), Type.Null()]),
  }),
  latency: Latency,
  pricing: Type.Object({ input_per_million_usd: Type.Number(), output_per_million_usd: Type.Number() }),
  context_length: Type.Integer(),
  capabilities: Type.Object({
    tools: Type.Boolean(), json_mode: Type.Boolean(), vision: Type.Boolean(), logprobs: Type.Boolean(),
    sampling_params: Type.Array(Type.String(), { description: 'Model-server sampling fields the model accepts (top_k, min_p, …)' }),
  }),
  fallbacks: Type.Array(Type.String()),
  quality: Type.Number(),
  weight: Type.Number(),
});

export const ProviderList = Type.Object({ object: Type.Literal('list'), environment: Type.String(), data: Type.Array(Provider) });

export const ProviderMetricsReport = Type.Object({
  object: Type.Literal('provider.metrics'),
  model: Type.String(),
  org_id: Type.Union([Type.String(), Type.Null()], { description: 'null: every org (operator credential)' }),
  window: Type.String(),
  from: Type.String(),
  to: Type.String(),
  requests: Type.Integer({ description: 'Model calls in the window (a failover or a fusion makes several per request)' }),
  errors: Type.Integer(),
  failed_over: Type.Integer(),
  error_rate: Type.Number({ minimum: 0, maximum: 1 }),
  tokens: Usage,
  cost_usd: Type.Number(),
  latency: Latency,
});
