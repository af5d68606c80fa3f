// The one typed configuration module. Nothing else in the project reads process.env.
// A missing or malformed variable stops start-up with a message that names it.
import { z } from 'zod';
import { RagtimeError } from '../domain/errors.js';
import { gatewayConfigShape } from './gateway/gateway-config.js';
import { localEmbeddingModels } from './embeddings/embedding-catalogue.js';
import { parseAllowedHosts } from '../domain/tools/host-allow-list.js';
import { toolNames } from '../domain/tools/tool.js';

const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const commaList = z.string().default('').transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean));
const tableEntry = /^[A-Za-z_][\w$]*\.(\*|[A-Za-z_][\w$]*)$/;

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: url.default('http://127.0.0.1:8233'),
  CHAT_TASK_QUEUE: z.string().min(1).default('chat'),

  DATABASE_URL: url.default('postgres://postgres@127.0.0.1:5432/ragtime'),
  REDIS_URL: url.default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('ragtime:'),
  EVENT_STREAM_TTL_SECONDS: z.coerce.number().int().positive().default(3600),

  LLM_BASE_URL: url.default('http://127.0.0.1:8091/v1'),
  /** The model at LLM_BASE_URL: `./ragtime up` serves Qwen2.5-Coder-0.5B-Instruct (infra/model-server/chat-models.json). */
  LLM_MODEL: z.string().min(1).default('qwen2.5-coder-0.5b-instruct'),
  LLM_API_KEY: z.string().optional(),
  /** The seeded registration's context length: a slot of `./ragtime up`'s model server holds 8192 / 4 tokens. */
  LLM_CONTEXT_TOKENS: z.coerce.number().int().positive().default(2048),
  ANTHROPIC_API_KEY: z.string().optional(),
  MODEL_ENVIRONMENT: z.enum(['development', 'staging', 'production']).default('development'),
  REGISTRY_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(120),
  ROUTING_STRATEGY: z.enum(['complexity', 'cost', 'latency']).default('complexity'),
  BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().positive().default(3),
  BREAKER_OPEN_MS: z.coerce.number().int().positive().default(30_000),
  BREAKER_PROBE_LEASE_MS: z.coerce.number().int().positive().default(15_000),
  LLM_FIRST_TOKEN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  LLM_STALL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FUSION_MAX_MODELS: z.coerce.number().int().min(2).max(8).default(3),
  /** SHA-256 (hex) of the operator token (header x-ragtime-admin-token) that reads every org's provider metrics. */
  ADMIN_API_TOKEN_SHA256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256').optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(8787),
  WS_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  /** A chat WebSocket that sends no frame and answers no ping for this long is closed (1001 idle_timeout). */
  WS_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** How often the server pings each chat WebSocket; a pong counts as activity. */
  WS_PING_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
  /** Open chat WebSockets one API key (or JWT user) may hold at once, across instances. */
  WS_MAX_SOCKETS_PER_KEY: z.coerce.number().int().positive().default(16),
  /** Open chat WebSockets one org may hold at once, across instances. */
  WS_MAX_SOCKETS_PER_ORG: z.coerce.number().int().positive().default(256),
  /** A request whose headers have not all arrived after this long is answered 408 and closed. */
  API_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** A request whose body has not all arrived after this long is answered 408 and closed. */
  API_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** A worker's /metrics port (0 = no metrics server); the SDK's own exporter binds to METRICS_PORT + 1 on loopback. */
  METRICS_PORT: port.default(0),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); traces are exported only when set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** Overrides the service name each process reports its spans under (ragtime-api, ragtime-chat-worker, ...). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Log prompt and answer text instead of `[redacted]` (secrets stay redacted). Development only. */
  LOG_PROMPTS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** On SIGTERM a worker finishes its activities for this long, then cancels them to retry elsewhere. */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(20),
  /** How long SIGTERM lets open chat WebSockets finish before the API closes them. */
  API_DRAIN_SECONDS: z.coerce.number().int().nonnegative().default(30),
  /**
   * Run a chat worker inside the API process and start chat turns eagerly (no dispatch round before the first
   * step). The API then needs what the chat worker needs: the model servers, the vector store, the tools.
   */
  API_EMBEDDED_WORKER: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  SAFETY_TIMEOUT_MS: z.coerce.number().int().positive().default(1000),
  SAFETY_PHONE_DEFAULT_COUNTRY: z.string().regex(/^[A-Z]{2}$/).default('US'),
  SAFETY_INJECTION_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  // Ingestion and retrieval (EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL and EMBEDDINGS_API_KEY come with the gateway's settings).
  INGESTION_TASK_QUEUE: z.string().min(1).default('ingestion'),
  /** Unset: the model's own when EMBEDDINGS_MODEL is one of infra/embeddings/embedding-models.json, else 384. */
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().positive().default(384),
  EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().positive().default(32),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  VECTOR_STORE: z.enum(['embedded', 'qdrant']).default('embedded'),
  VECTOR_STORE_DIRECTORY: z.string().min(1).default('.data/vectors'),
  QDRANT_URL: url.optional(),
  QDRANT_API_KEY: z.string().optional(),
  CHUNK_SIZE: z.coerce.number().int().positive().default(1000),
  CHUNK_OVERLAP: z.coerce.number().int().nonnegative().default(150),
  INGESTION_MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  INGESTION_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  // Limits on one document (each refusal fails that document, naming the setting) and on its parse.
  /** Bytes an archive-based document (.docx) may inflate to; inflation stops there. */
  INGESTION_MAX_EXTRACTED_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024),
  /** Largest ratio of inflated to compressed bytes an archive may declare (checked when it inflates past 1 MiB). */
  INGESTION_MAX_COMPRESSION_RATIO: z.coerce.number().positive().default(100),
  /** Characters of text one document may yield. */
  INGESTION_MAX_TEXT_CHARACTERS: z.coerce.number().int().positive().default(8_000_000),
  INGESTION_MAX_CHUNKS: z.coerce.number().int().positive().default(10_000),
  INGESTION_MAX_PDF_PAGES: z.coerce.number().int().positive().default(2_000),
  /** Deepest element (HTML) or value (JSON) nesting a document may have. */
  INGESTION_MAX_NESTING_DEPTH: z.coerce.number().int().positive().default(512),
  /** Parsing runs in worker threads: how many, each one's heap limit and each parse's hard deadline. */
  INGESTION_PARSE_THREADS: z.coerce.number().int().positive().max(64).default(2),
  INGESTION_PARSE_HEAP_MB: z.coerce.number().int().min(32).default(512),
  INGESTION_PARSE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Documents of one tenant processed at once across all its jobs (the rest wait their turn). */
  INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS: z.coerce.number().int().positive().default(8),
  /** Ingestion quotas per tenant and period (0 = unlimited): documents, fetched bytes, embedded tokens. */
  INGESTION_QUOTA_PERIOD: z.enum(['day', 'month']).default('month'),
  INGESTION_QUOTA_DOCUMENTS: z.coerce.number().int().nonnegative().default(0),
  INGESTION_QUOTA_BYTES: z.coerce.number().int().nonnegative().default(0),
  INGESTION_QUOTA_TOKENS: z.coerce.number().int().nonnegative().default(0),
  /** A worker whose event loop stalls longer than this reports unhealthy on /healthz for 30 s. */
  WORKER_EVENT_LOOP_STALL_MS: z.coerce.number().int().positive().default(2_000),
  /** CIDRs that URL sources may resolve to besides public addresses, e.g. 10.0.0.0/8 for an intranet. */
  INGESTION_TRUSTED_NETWORKS: z.string().default('').transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean)),
  /** Where the API keeps files uploaded for ingestion; the ingestion worker reads them from there (a shared volume). */
  INGESTION_UPLOAD_DIRECTORY: z.string().min(1).default('.data/uploads'),
  RETRIEVAL_TOP_K: z.coerce.number().int().positive().default(4),
  /** Candidates per list before re-ranking: 100 chosen on half of Cranfield's queries with score fusion (bench/retrieval-quality.ts). */
  RETRIEVAL_CANDIDATES: z.coerce.number().int().positive().default(100),
  RETRIEVAL_TOKEN_BUDGET: z.coerce.number().int().positive().default(500),
  RETRIEVAL_TIMEOUT_MS: z.coerce.number().int().positive().default(2500),
  RETRIEVAL_RERANK: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  RETRIEVAL_QUERY_EXPANSION: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /**
   * The dense share of the score fusion. Unset: the one chosen for EMBEDDINGS_MODEL in
   * infra/embeddings/embedding-models.json (all-mpnet-base-v2 0.5, all-MiniLM-L6-v2 int8 0.4), else 0.4.
   */
  RETRIEVAL_DENSE_WEIGHT: z.coerce.number().min(0).max(1).optional(),
  // Tools. One whose settings are absent is not offered; the calculator needs none.
  /** Tools a tenant without its own row in tenant_tool_settings may use (`none` for none). */
  TOOLS_DEFAULT_ENABLED: z.string().default(toolNames.join(',')).transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry && entry !== 'none'))
    .pipe(z.array(z.enum(toolNames))),
  /** Hosts http_fetch may contact: "host", "host:port" or "*.domain", comma-separated. */
  TOOL_HTTP_FETCH_ALLOWED_HOSTS: commaList,
  /** CIDRs besides public addresses that allowed hosts may resolve to (never metadata addresses). */
  TOOL_HTTP_FETCH_TRUSTED_NETWORKS: commaList,
  /** Base URL of a SearxNG-compatible search API (GET /search?format=json). */
  TOOL_WEB_SEARCH_URL: url.optional(),
  /** A connection string whose role may only SELECT the allowed tables. */
  TOOL_SQL_DATABASE_URL: url.optional(),
  /** "schema.table" or "schema.*" entries the SQL tool may read, comma-separated. */
  TOOL_SQL_ALLOWED_TABLES: commaList.pipe(z.array(z.string().regex(tableEntry, 'entries must be schema.table or schema.*'))),
  /** What the tables hold (names, columns), shown to the model. */
  TOOL_SQL_DESCRIPTION: z.string().optional(),
  TOOL_SQL_MAX_ROWS: z.coerce.number().int().positive().default(100),
  TOOL_SQL_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Longest tool output placed in the prompt, in characters. */
  TOOL_OUTPUT_MAX_CHARS: z.coerce.number().int().positive().default(4000),
  /** Most tool calls a tool-calling model may add to one turn. */
  TOOL_CALLS_MAX: z.coerce.number().int().nonnegative().default(3),
  /** Show tool-calling models one worked example per tool (small models need it; OpenAI's own API rejects it). */
  TOOL_CALL_EXAMPLES: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  ...gatewayConfigShape,
});

export type Config = z.infer<typeof schema>;

/** Names every variable that is missing or malformed; start-up stops with it. */
export class ConfigError extends RagtimeError {
  constructor(readonly issues: string[]) {
    super('invalid_configuration', `Invalid configuration:\n  ${issues.join('\n  ')}`, { details: { issues } });
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const given = withoutEmptyStrings(env);
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  // A local embedding model brings its vector size and fusion weight, so naming the model is enough.
  const catalogued = localEmbeddingModels.get(parsed.data.EMBEDDINGS_MODEL);
  const value: Config = {
    ...parsed.data,
    EMBEDDINGS_DIMENSIONS: given.EMBEDDINGS_DIMENSIONS === undefined && catalogued ? catalogued.dimensions : parsed.data.EMBEDDINGS_DIMENSIONS,
    RETRIEVAL_DENSE_WEIGHT: parsed.data.RETRIEVAL_DENSE_WEIGHT ?? catalogued?.denseWeight,
  };
  if (value.CHUNK_OVERLAP >= value.CHUNK_SIZE) throw new ConfigError([`CHUNK_OVERLAP: must be less than CHUNK_SIZE (${value.CHUNK_SIZE})`]);
  if (value.VECTOR_STORE === 'qdrant' && !value.QDRANT_URL) throw new ConfigError(['QDRANT_URL: required when VECTOR_STORE=qdrant']);
  if (value.TOOL_SQL_DATABASE_URL && value.TOOL_SQL_ALLOWED_TABLES.length === 0) throw new ConfigError(['TOOL_SQL_ALLOWED_TABLES: required when TOOL_SQL_DATABASE_URL is set']);
  try {
    parseAllowedHosts(value.TOOL_HTTP_FETCH_ALLOWED_HOSTS);
  } catch (error) {
    throw new ConfigError([`TOOL_HTTP_FETCH_ALLOWED_HOSTS: ${(error as Error).message}`]);
  }
  return value;
}

function withoutEmptyStrings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]));
}
