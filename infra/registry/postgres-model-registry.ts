// The model registry table: one row per (model, environment).
import type pg from 'pg';
import type { DeploymentEnvironment, ModelRegistration, ModelStatus, ProviderKind } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';

interface Row {
  model: string;
  environment: DeploymentEnvironment;
  endpoint: string;
  provider: ProviderKind;
  status: ModelStatus;
  last_health_check: Date | null;
  last_health_status: string | null;
  input_price: string;
  output_price: string;
  context_length: number;
  supports_tools: boolean;
  supports_json_mode: boolean;
  supports_vision: boolean;
  supports_logprobs: boolean;
  sampling_params: string[];
  tiers: string[];
  fallbacks: string[];
  quality: number;
  weight: number;
}

/** A pool, or one client inside a transaction (the deployment history writes the registry in its own). */
export type Queryable = Pick<pg.ClientBase, 'query'>;

export class PostgresModelRegistry implements ModelRegistry {
  constructor(private readonly pool: Queryable) {}

  async list(environment: DeploymentEnvironment): Promise<ModelRegistration[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM model_registry WHERE environment = $1 ORDER BY model', [environment]);
    return rows.map(toRegistration);
  }

  async register(registration: ModelRegistration): Promise<void> {
    await this.pool.query(
      `INSERT INTO model_registry (model, environment, endpoint, provider, status, input_price, output_price, context_length,
         supports_tools, supports_json_mode, tiers, fallbacks, quality, weight, supports_vision, supports_logprobs, sampling_params)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (model, environment) DO UPDATE SET
         endpoint = EXCLUDED.endpoint, provider = EXCLUDED.provider, status = EXCLUDED.status,
         input_price = EXCLUDED.input_price, output_price = EXCLUDED.output_price, context_length = EXCLUDED.context_length,
         supports_tools = EXCLUDED.supports_tools, supports_json_mode = EXCLUDED.supports_json_mode, tiers = EXCLUDED.tiers,
         fallbacks = EXCLUDED.fallbacks, quality = EXCLUDED.quality, weight = EXCLUDED.weight,
         supports_vision = EXCLUDED.supports_vision, supports_logprobs = EXCLUDED.supports_logprobs,
         sampling_params = EXCLUDED.sampling_params, updated_at = now()`,
      [
        registration.model, registration.environment, registration.endpoint, registration.provider, registration.status,
        registration.inputPrice, registration.outputPrice, registration.contextLength, registration.capabilities.tools,
        registration.capabilities.jsonMode, registration.tiers, registration.fallbacks, registration.quality, registration.weight,
        registration.capabilities.vision ?? false, registration.capabilities.logprobs ?? false, registration.capabilities.samplingParams ?? [],
      ],
    );
  }

  async deregister(model: string, environment: DeploymentEnvironment): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM model_registry WHERE model = $1 AND environment = $2', [model, environment]);
    return (rowCount ?? 0) > 0;
  }

  async setStatus(model: string, environment: DeploymentEnvironment, status: ModelStatus): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE model_registry SET status = $3, updated_at = now() WHERE model = $1 AND environment = $2',
      [model, environment, status],
    );
    return (rowCount ?? 0) > 0;
  }

  async recordHealth(model: string, environment: DeploymentEnvironment, status: string, checkedAt: Date): Promise<void> {
    await this.pool.query(
      'UPDATE model_registry SET last_health_check = $3, last_health_status = $4 WHERE model = $1 AND environment = $2',
      [model, environment, checkedAt, status],
    );
  }
}

function toRegistration(row: Row): ModelRegistration {
  return {
    model: row.model,
    environment: row.environment,
    endpoint: row.endpoint,
    provider: row.provider,
    status: row.status,
    ...(row.last_health_check ? { lastHealthCheck: row.last_health_check.toISOString() } : {}),
    ...(row.last_health_status ? { lastHealthStatus: row.last_health_status } : {}),
    inputPrice: Number(row.input_price),
    outputPrice: Number(row.output_price),
    contextLength: row.context_length,
    capabilities: {
      tools: row.supports_tools,
      jsonMode: row.supports_json_mode,
      vision: row.supports_vision,
      logprobs: row.supports_logprobs,
      samplingParams: row.sampling_params,
    },
    tiers: row.tiers,
    fallbacks: row.fallbacks,
    quality: row.quality,
    weight: row.weight,
  };
}
