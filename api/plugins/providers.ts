// GET /v1/providers: every registered model endpoint the caller's tier may use, with what an operator or a
// client picking a model wants to know: protocol, environment, status, health, circuit state (read live from
// the breakers the workers share, so a breaker opened by failing calls shows at the next request), measured
// latency p50/p95, prices, context size and capabilities. GET /v1/providers/{model}/metrics: requests,
// errors, tokens, cost and latency percentiles of one model over a window, from the call ledger, for the
// caller's org; an operator token (x-ragtime-admin-token) reads every org's, or one org's with ?org=.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DeploymentEnvironment, ModelRegistration } from '../../domain/routing/model-registration.js';
import type { BreakerSnapshot, CircuitBreakers, LatencyStats, ModelRegistryReader } from '../../domain/routing/ports.js';
import { latencyKey, type LatencyEstimate } from '../../domain/routing/routing-policy.js';
import type { LatencyPercentiles, ProviderMetrics } from '../../infra/gateway/provider-metrics.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { GatewayError, unauthorized } from '../gateway/gateway-error.js';
import { responses } from '../openapi/response-schemas.js';
import { ProviderList, ProviderMetricsReport } from '../openapi/multi-model-schemas.js';
import { identifierPattern } from '../../domain/limits.js';

export interface ProvidersOptions {
  authenticate: onRequestAsyncHookHandler;
  registry: ModelRegistryReader;
  environment: DeploymentEnvironment;
  breakers: CircuitBreakers;
  latency: LatencyStats;
  metrics: ProviderMetrics;
  /** SHA-256 (hex) of the operator token; absent: nobody is an operator. */
  adminTokenSha256?: string;
}

/** The window /v1/providers measures latency over. */
const latencyWindowSeconds = 3_600;
const maxWindowSeconds = 30 * 86_400;

const ProviderParams = Type.Object({ model: Type.String({ minLength: 1, maxLength: 200 }) });
const MetricsQuery = Type.Object({
  window: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}[mhd]$', description: 'e.g. 15m, 24h, 7d (at most 30d); 24h when absent' })),
  org: Type.Optional(Type.String({ pattern: identifierPattern, description: 'Operators only: one org instead of all' })),
}, { additionalProperties: false });

/** Request types come from the route schemas (TypeBox type provider). */
export const providersPlugin: FastifyPluginAsyncTypebox<ProvidersOptions> = async (app, options) => {
  const operators = new WeakSet<FastifyRequest>();
  /** An operator token makes the caller an operator; otherwise the ordinary credential is required. */
  const operatorOrAuthenticate: onRequestAsyncHookHandler = async function (this: FastifyInstance, request, reply) {
    const token = request.headers['x-ragtime-admin-token'];
    if (token === undefined) return options.authenticate.call(this, request, reply);
    if (typeof token !== 'string' || !options.adminTokenSha256 || !sameHash(token, options.adminTokenSha256)) throw unauthorized('Invalid operator token.');
    operators.add(request);
  };
  /** The registrations the caller may see: its tier's, or every one for an operator. */
  const visible = async (request: FastifyRequest) => {
    const registrations = await options.registry.list(options.environment);
    return operators.has(request) ? registrations : registrations.filter((registration) => registration.tiers.includes(principalOf(request).tier));
  };

  app.get('/v1/providers', { onRequest: operatorOrAuthenticate, schema: { response: responses({ 200: ProviderList }) } }, async (request) => {
    const registrations = await visible(request);
    const [breakers, estimates, measured] = await Promise.all([
      Promise.all(registrations.map((registration) => options.breakers.snapshot(registration.endpoint))),
      options.latency.estimates(registrations.map((registration) => ({ model: registration.model, endpoint: registration.endpoint }))),
      options.metrics.latencyByModel(registrations.map((registration) => registration.model), latencyWindowSeconds),
    ]);
    return {
      object: 'list',
      environment: options.environment,
      data: registrations.map((registration, index) => providerOf(registration, breakers[index]!, estimates.get(latencyKey(registration.model, registration.endpoint)), measured.get(registration.model), operators.has(request))),
    };
  });

  app.get(
    '/v1/providers/:model/metrics',
    { onRequest: operatorOrAuthenticate, schema: { params: ProviderParams, querystring: MetricsQuery, response: responses({ 200: ProviderMetricsReport }) } },
    async (request) => {
      const operator = operators.has(request);
      if (request.query.org !== undefined && !operator) throw new GatewayError(400, 'bad_request', 'Only an operator token may choose the org; yours is used.', {}, 'org');
      const registration = (await visible(request)).find((candidate) => candidate.model === request.params.model);
      if (!registration) throw new GatewayError(404, 'model_not_found', `The model '${request.params.model}' does not exist or you do not have access to it.`, {}, 'model');
      const window = request.query.window ?? '24h';
      const windowSeconds = windowSecondsOf(window);
      if (windowSeconds > maxWindowSeconds) throw new GatewayError(400, 'bad_request', 'The window is at most 30d.', {}, 'window');
      const orgId = operator ? (request.query.org ?? null) : principalOf(request).orgId;
      const [figures, estimates] = await Promise.all([
        options.metrics.forModel(registration.model, windowSeconds, orgId),
        options.latency.estimates([{ model: registration.model, endpoint: registration.endpoint }]),
      ]);
      const to = new Date();
      const estimate = estimates.get(latencyKey(registration.model, registration.endpoint));
      return {
        object: 'provider.metrics',
        model: registration.model,
        org_id: orgId,
        window,
        from: new Date(to.getTime() - windowSeconds * 1000).toISOString(),
        to: to.toISOString(),
        requests: figures.requests,
        errors: figures.errors,
        failed_over: figures.failedOver,
        error_rate: figures.requests === 0 ? 0 : figures.errors / figures.requests,
        tokens: { prompt_tokens: figures.promptTokens, completion_tokens: figures.completionTokens, total_tokens: figures.promptTokens + figures.completionTokens },
        cost_usd: figures.costMicros / 1_000_000,
        latency: latencyOf(figures.latency, windowSeconds, estimate),
      };
    },
  );
};

function providerOf(registration: ModelRegistration, breaker: BreakerSnapshot, estimate: LatencyEstimate | undefined, measured: LatencyPercentiles | undefined, operator: boolean) {
  return {
    model: registration.model,
    provider: registration.provider,
    endpoint_id: createHash('sha256').update(registration.endpoint).digest('hex').slice(0, 12),
    ...(operator ? { endpoint: registration.endpoint } : {}),
    environment: registration.environment,
    status: registration.status,
    health: {
      status: healthOf(registration, breaker),
      last_check: registration.lastHealthCheck ?? null,
      last_probe: registration.lastHealthStatus ?? null,
    },
    circuit: {
      state: breaker.state,
      consecutive_failures: breaker.consecutiveFailures,
      retry_at: breaker.retryAt ? new Date(breaker.retryAt).toISOString() : null,
    },
    latency: latencyOf(measured, latencyWindowSeconds, estimate),
    pricing: { input_per_million_usd: registration.inputPrice * 1_000_000, output_per_million_usd: registration.outputPrice * 1_000_000 },
    context_length: registration.contextLength,
    capabilities: {
      tools: registration.capabilities.tools, json_mode: registration.capabilities.jsonMode, vision: registration.capabilities.vision,
      logprobs: registration.capabilities.logprobs, sampling_params: registration.capabilities.samplingParams,
    },
    fallbacks: registration.fallbacks,
    quality: registration.quality,
    weight: registration.weight,
  };
}

/**
 * The circuit speaks for the calls just made: open is unhealthy, half-open (a probe may try) degraded. A
 * closed circuit after failures is degraded too; otherwise the last `deployment status` probe, if any.
 */
function healthOf(registration: ModelRegistration, breaker: BreakerSnapshot): 'healthy' | 'degraded' | 'unhealthy' | 'unknown' {
  if (breaker.state === 'open') return 'unhealthy';
  if (breaker.state === 'half_open' || breaker.consecutiveFailures > 0) return 'degraded';
  if (registration.lastHealthStatus === 'unhealthy') return 'unhealthy';
  if (registration.lastHealthStatus === 'healthy') return 'healthy';
  return 'unknown';
}

function latencyOf(measured: LatencyPercentiles | undefined, windowSeconds: number, estimate: LatencyEstimate | undefined) {
  return {
    p50_ms: measured?.p50Ms ?? null,
    p95_ms: measured?.p95Ms ?? null,
    p99_ms: measured?.p99Ms ?? null,
    samples: measured?.samples ?? 0,
    window_seconds: windowSeconds,
    ttft_ms_average: estimate ? Math.round(estimate.ttftMs) : null,
    ms_per_token_average: estimate ? Math.round(estimate.msPerToken * 100) / 100 : null,
  };
}

/** `15m`, `24h`, `7d` in seconds (the route's pattern admits only these units). */
function windowSecondsOf(window: string): number {
  const unitSeconds = window.endsWith('m') ? 60 : window.endsWith('h') ? 3_600 : 86_400;
  return Number(window.slice(0, -1)) * unitSeconds;
}

function sameHash(token: string, expectedHex: string): boolean {
  const actual = createHash('sha256').update(token).digest();
  const expected = Buffer.from(expectedHex, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
