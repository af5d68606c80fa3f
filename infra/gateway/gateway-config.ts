// The gateway's settings, merged into the one configuration schema in infra/config.ts (which alone reads
// the environment). Tier limits and model prices are JSON so an operator can change them without a release.
import { z } from 'zod';

const limits = z.object({
  requestsPerMinute: z.number().int().positive(),
  tokensPerMinute: z.number().int().positive(),
  concurrentStreams: z.number().int().positive(),
}).strict();

const tier = z.object({
  org: limits,
  user: limits,
  /** Default monthly budget of an org on this tier, in USD; null means unlimited. */
  monthlyBudgetUsd: z.number().nonnegative().nullable(),
}).strict();

export const tierLimitsSchema = z.object({ free: tier, pro: tier, enterprise: tier }).strict();

export const modelPricesSchema = z.record(z.string().min(1), z.object({
  inputPerMillionUsd: z.number().nonnegative(),
  outputPerMillionUsd: z.number().nonnegative(),
}).strict());

const defaultTiers: z.infer<typeof tierLimitsSchema> = {
  free: {
    org: { requestsPerMinute: 60, tokensPerMinute: 20_000, concurrentStreams: 4 },
    user: { requestsPerMinute: 20, tokensPerMinute: 10_000, concurrentStreams: 2 },
    monthlyBudgetUsd: 5,
  },
  pro: {
    org: { requestsPerMinute: 600, tokensPerMinute: 200_000, concurrentStreams: 32 },
    user: { requestsPerMinute: 120, tokensPerMinute: 60_000, concurrentStreams: 8 },
    monthlyBudgetUsd: 500,
  },
  enterprise: {
    org: { requestsPerMinute: 6_000, tokensPerMinute: 2_000_000, concurrentStreams: 256 },
    user: { requestsPerMinute: 1_200, tokensPerMinute: 500_000, concurrentStreams: 64 },
    monthlyBudgetUsd: null,
  },
};

const defaultPrices: z.infer<typeof modelPricesSchema> = {
  // Local models priced by their weights read per token: Qwen2.5-Coder-0.5B (491 MB) about five times SmolLM2-135M (98 MB).
  'qwen2.5-coder-0.5b-instruct': { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.2 },
  'smollm2-135m-instruct': { inputPerMillionUsd: 0.02, outputPerMillionUsd: 0.04 },
  'all-minilm-l6-v2-int8': { inputPerMillionUsd: 0.01, outputPerMillionUsd: 0 },
  // all-mpnet-base-v2: 416 MiB of fp32 weights (254 MiB int8), about Qwen2.5-Coder-0.5B's input price.
  'all-mpnet-base-v2': { inputPerMillionUsd: 0.09, outputPerMillionUsd: 0 },
  'all-mpnet-base-v2-int8': { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0 },
};

/** A JSON-valued variable, validated by `inner`, with a default when unset. */
function json<T extends z.ZodType>(inner: T, fallback: z.infer<T>) {
  return z.string().optional().transform((raw, context): z.infer<T> => {
    if (raw === undefined) return fallback;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
    const parsed = inner.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: `${issue.path.join('.')}: ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}

const commaList = z.string().transform((raw) => raw.split(',').map((item) => item.trim()).filter(Boolean));
const jwtAlgorithms = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export const gatewayConfigShape = {
  /** JWT bearer tokens are accepted when an issuer and audience are set, with a secret (HS*) or a JWKS URL. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWT_JWKS_URL: z.string().url().optional(),
  AUTH_JWT_ALGORITHMS: commaList.pipe(z.array(z.enum(jwtAlgorithms)).min(1)).default(['HS256', 'RS256', 'ES256']),
  AUTH_JWT_ORG_CLAIM: z.string().min(1).default('org_id'),
  AUTH_JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().nonnegative().default(5),
  /** Open WebSockets re-check their credential this often (a change announced on Redis is acted on at once). */
  AUTH_RECHECK_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
  /** How long a re-check's verdict is reused for the frames of connections with the same credential. */
  AUTH_RECHECK_CACHE_MS: z.coerce.number().int().nonnegative().default(5_000),

  GATEWAY_TIERS: json(tierLimitsSchema, defaultTiers),
  MODEL_PRICES: json(modelPricesSchema, defaultPrices),
  /** What the gate does when Redis cannot be reached: `open` keeps serving with a per-instance limiter. */
  RATE_LIMIT_FAILURE_MODE: z.enum(['open', 'closed']).default('open'),
  RATE_LIMIT_REDIS_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
  /** A stream slot is freed when its answer ends, or after this long if the API instance died meanwhile. */
  STREAM_LEASE_SECONDS: z.coerce.number().int().positive().default(600),

  RESPONSE_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(300),

  EMBEDDINGS_BASE_URL: z.string().url().default('http://127.0.0.1:8092/v1'),
  EMBEDDINGS_MODEL: z.string().min(1).default('all-minilm-l6-v2-int8'),
  EMBEDDINGS_API_KEY: z.string().optional(),
};

export type TierLimits = z.infer<typeof tierLimitsSchema>;
