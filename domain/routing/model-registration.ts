// A model deployment as the registry records it: one row per (model, environment).

export const environments = ['development', 'staging', 'production'] as const;
export type DeploymentEnvironment = (typeof environments)[number];

export const providerKinds = ['openai-compatible', 'anthropic'] as const;
/** `openai-compatible` covers vLLM, llama.cpp, Ollama and OpenAI; `anthropic` is the Messages API. */
export type ProviderKind = (typeof providerKinds)[number];

export type ModelStatus = 'ready' | 'disabled';

/** What a model can do; a request that needs more is refused or routed to a model that can (issue 21). */
export interface ModelCapabilities {
  /** OpenAI function tools (`tools`, `tool_choice`, tool calls back). */
  tools: boolean;
  /** Structured output: `response_format` `json_object` and `json_schema` (grammar / guided decoding). */
  jsonMode: boolean;
  /** Images in user messages (`image_url` content parts). False when absent. */
  vision?: boolean;
  /** `logprobs` / `top_logprobs`. False when absent. */
  logprobs?: boolean;
  /** Model-server-specific sampling fields the server accepts (`top_k`, `min_p`, …). None when absent. */
  samplingParams?: string[];
}

export interface ModelRegistration {
  model: string;
  environment: DeploymentEnvironment;
  /** Base URL of the API, e.g. `http://10.0.0.5:8000/v1`. */
  endpoint: string;
  provider: ProviderKind;
  status: ModelStatus;
  /** ISO time and outcome of the last `deployment status` probe. */
  lastHealthCheck?: string;
  lastHealthStatus?: string;
  /** US dollars per token. */
  inputPrice: number;
  outputPrice: number;
  contextLength: number;
  capabilities: ModelCapabilities;
  /** Tiers whose tenants may use the model. */
  tiers: string[];
  /** Models to continue on when this one fails, in order. */
  fallbacks: string[];
  /** Relative answer quality, higher is better: complex tasks go to the best model. */
  quality: number;
  /** Provider weight used when fusion ranks answers. */
  weight: number;
}

/** Where a request can be sent: the part of a registration generation needs. */
export interface ModelTarget {
  model: string;
  baseUrl: string;
  provider: ProviderKind;
}

export function targetOf(registration: ModelRegistration): ModelTarget {
  return { model: registration.model, baseUrl: registration.endpoint, provider: registration.provider };
}

/** A registration with the defaults an operator may leave out. */
export function withDefaults(input: Pick<ModelRegistration, 'model' | 'endpoint'> & Partial<ModelRegistration>): ModelRegistration {
  return {
    environment: 'development',
    provider: 'openai-compatible',
    status: 'ready',
    inputPrice: 0,
    outputPrice: 0,
    contextLength: 4096,
    capabilities: { tools: false, jsonMode: false, vision: false, logprobs: false, samplingParams: [] },
    tiers: ['free', 'pro', 'enterprise'],
    fallbacks: [],
    quality: 1,
    weight: 1,
    ...input,
  };
}
