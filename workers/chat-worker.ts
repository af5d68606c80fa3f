// Composition root of the chat worker: builds adapters from configuration and runs the Temporal worker
// for task queue "chat". Stops gracefully on SIGINT/SIGTERM (in-flight activities finish or heartbeat out).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { ConversationStore } from '../infra/postgres/conversation-store.js';
import { OpenAICompatibleChatModel } from '../infra/llm/openai-compatible-chat-model.js';
import { AnthropicChatModel } from '../infra/llm/anthropic-chat-model.js';
import { ProviderChatModel } from '../infra/llm/provider-chat-model.js';
import { createChatActivities } from '../activities/chat/index.js';
import { createFusionActivities } from '../activities/fusion/index.js';
import { CachedModelRegistry } from '../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { RedisCircuitBreakers } from '../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../infra/registry/redis-latency-stats.js';
import { RegistryPriceList } from '../infra/registry/registry-price-list.js';
import { RedisRateLimiter } from '../infra/gateway/redis-rate-limiter.js';
import { TierRateLimits } from '../infra/gateway/tier-rate-limits.js';
import { seedRegistry } from '../infra/registry/seed-registry.js';
import { registerSearchAttributes } from '../clients/search-attributes.js';
import { SafetyPolicyStore } from '../infra/postgres/safety-policy-store.js';
import { PolicySafetyScreen } from '../infra/safety/policy-safety-screen.js';
import { createVectorRetriever } from '../infra/retrieval/create-retriever.js';
import { createConfiguredTools } from '../infra/tools/configured-tools.js';
import { RegistryToolRunner } from '../infra/tools/registry-tool-runner.js';
import { TenantToolSettings } from '../infra/tools/tenant-tool-settings.js';
import { OpenAIToolCallingModel } from '../infra/tools/openai-tool-calling-model.js';
import type { CountryCode } from 'libphonenumber-js';
import type { Metrics } from '../infra/metrics/metrics.js';
import { activityMetricsInterceptor } from '../infra/metrics/activity-metrics-interceptor.js';
import { workerInterceptors, type Tracing } from '../infra/tracing/tracing.js';
import { activeTraceId } from '../infra/tracing/trace-id.js';
import { runWhenEntryPoint } from './worker-process.js';

/** Beside this file: the TypeScript sources under tsx, the transpiled JavaScript in dist/ (scripts/build.sh). */
export const chatWorkflowsPath = fileURLToPath(new URL(`../workflows/index${path.extname(import.meta.url)}`, import.meta.url));

export interface ChatWorkerOptions {
  /** A prebuilt workflow bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Series the activities are timed into; absent in tests that don't scrape. */
  metrics?: Metrics;
  /** Traces workflows and activities; workflow spans need the workflows bundled at start (no workflowBundlePath). */
  tracing?: Tracing;
  /** A connection shared with a client in the same process (eager workflow start); the caller closes it. */
  connection?: NativeConnection;
  /** Shown in the workflow history for the tasks this worker ran; the SDK's pid@host when absent. */
  identity?: string;
}

export async function createChatWorker(config: Config, options: ChatWorkerOptions = {}) {
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  await registerSearchAttributes(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const registry = new CachedModelRegistry(new PostgresModelRegistry(pool), redis, { ttlSeconds: config.REGISTRY_CACHE_TTL_SECONDS });
  await seedRegistry(registry, config);
  const connection = options.connection ?? await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const retriever = createVectorRetriever(config);
  const tools = createConfiguredTools(config);
  const breakers = new RedisCircuitBreakers(redis, {
    failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
    openMs: config.BREAKER_OPEN_MS,
    probeLeaseMs: config.BREAKER_PROBE_LEASE_MS,
  });
  const { metrics } = options;
  if (metrics) {
    metrics.sources.circuitBreakers = async () => {
      const states: Record<string, number> = {};
      for (const registration of await registry.list(config.MODEL_ENVIRONMENT)) {
        const { state } = await breakers.snapshot(registration.endpoint);
        states[registration.model] = state === 'open' ? 2 : state === 'half_open' ? 1 : 0;
      }
      return states;
    };
  }
  const dependencies = {
    events: new EventStream(redis, config.EVENT_STREAM_TTL_SECONDS),
    conversations: new ConversationStore(pool),
    chatModel: new ProviderChatModel({
      'openai-compatible': new OpenAICompatibleChatModel({ apiKey: config.LLM_API_KEY }),
      anthropic: new AnthropicChatModel({ apiKey: config.ANTHROPIC_API_KEY }),
    }),
    routing: {
      registry,
      environment: config.MODEL_ENVIRONMENT,
      breakers,
      latency: new RedisLatencyStats(redis),
      strategy: config.ROUTING_STRATEGY,
      firstTokenTimeoutMs: config.LLM_FIRST_TOKEN_TIMEOUT_MS,
      stallTimeoutMs: config.LLM_STALL_TIMEOUT_MS,
      fusionMaxModels: config.FUSION_MAX_MODELS,
    },
    safety: new PolicySafetyScreen(new SafetyPolicyStore(pool), {
      timeoutMs: config.SAFETY_TIMEOUT_MS,
      phoneDefaultCountry: config.SAFETY_PHONE_DEFAULT_COUNTRY as CountryCode,
      injectionThreshold: config.SAFETY_INJECTION_THRESHOLD,
    }),
    retriever,
    tools: new RegistryToolRunner(tools.registry, new TenantToolSettings(pool), { defaultEnabled: config.TOOLS_DEFAULT_ENABLED, maxOutputChars: config.TOOL_OUTPUT_MAX_CHARS }),
    toolCalling: { model: new OpenAIToolCallingModel({ apiKey: config.LLM_API_KEY }), maxCalls: config.TOOL_CALLS_MAX, examples: config.TOOL_CALL_EXAMPLES },
    historyTurns: 6,
    prices: new RegistryPriceList(registry, config.MODEL_ENVIRONMENT, config.MODEL_PRICES),
    rateLimits: new TierRateLimits(new RedisRateLimiter(redis), config.GATEWAY_TIERS),
    traceId: activeTraceId,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
    ...(metrics ? { observer: workerObserver(metrics) } : {}),
  };
  const activities = { ...createChatActivities(dependencies), ...createFusionActivities(dependencies) };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.CHAT_TASK_QUEUE,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: chatWorkflowsPath }),
    activities,
    ...workerInterceptors(options.tracing, { activity: options.metrics ? [activityMetricsInterceptor(options.metrics)] : [], bundledAtStart: !options.workflowBundlePath }),
    shutdownGraceTime: `${config.WORKER_SHUTDOWN_GRACE_SECONDS} seconds`,
    ...(options.identity ? { identity: options.identity } : {}),
  });
  const close = async () => {
    if (!options.connection) await connection.close();
    await pool.end();
    await retriever.close();
    await tools.close();
    redis.disconnect();
  };
  return { worker, close };
}

/** Time to first token, and the tokens and cost of every settled turn, on the worker's /metrics. */
function workerObserver(metrics: Metrics) {
  return {
    firstToken: (model: string, seconds: number) => metrics.ttft.observe({ model }, seconds),
    settled: ({ model, tier, usage, costMicros }: { model: string; tier: string; usage: { promptTokens: number; completionTokens: number }; costMicros: number }) => {
      metrics.tokens.inc({ model, tier, direction: 'input' }, usage.promptTokens);
      metrics.tokens.inc({ model, tier, direction: 'output' }, usage.completionTokens);
      metrics.costUsd.inc({ model, tier }, costMicros / 1e6);
    },
  };
}

runWhenEntryPoint(import.meta.url, {
  name: 'chat-worker',
  dependencies: () => ['Redis', 'PostgreSQL', 'Temporal'],
  create: (config, telemetry) => createChatWorker(config, telemetry),
  describe: (config) => ({ taskQueue: config.CHAT_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }),
});
