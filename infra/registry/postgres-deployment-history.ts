// Deployment history in Postgres (model_deployments). Each promotion or rollback is one transaction that
// writes the registry entry and the history rows together, under a per-(model, environment) advisory lock,
// so two operators promoting at once cannot interleave and the registry never disagrees with the history.
import type pg from 'pg';
import type { Pool } from '../postgres/pool.js';
import { withTransaction } from '../postgres/transaction.js';
import type { DeploymentHistory, DeploymentRecord, PromotionChecks } from '../../domain/routing/deployments.js';
import type { DeploymentEnvironment, ModelRegistration } from '../../domain/routing/model-registration.js';
import { PostgresModelRegistry } from './postgres-model-registry.js';

interface Row {
  id: string;
  model: string;
  environment: DeploymentEnvironment;
  action: 'promote' | 'rollback';
  source_environment: DeploymentEnvironment | null;
  state: 'active' | 'superseded' | 'rolled-back' | null;
  registration: ModelRegistration | null;
  previous_registration: ModelRegistration | null;
  previous_deployment_id: string | null;
  checks: Partial<PromotionChecks>;
  actor: string;
  created_at: Date;
}

export class PostgresDeploymentHistory implements DeploymentHistory {
  constructor(private readonly pool: Pool) {}

  promote(input: { registration: ModelRegistration; sourceEnvironment: DeploymentEnvironment; checks: PromotionChecks; actor: string }): Promise<DeploymentRecord> {
    const { model, environment } = input.registration;
    return this.locked(model, environment, async (client, registry) => {
      const previous = await currentEntry(registry, model, environment);
      const superseded = await client.query<{ id: string }>(
        `UPDATE model_deployments SET state = 'superseded' WHERE model = $1 AND environment = $2 AND state = 'active' RETURNING id`,
        [model, environment],
      );
      await registry.register(input.registration);
      const { rows } = await client.query<Row>(
        `INSERT INTO model_deployments (model, environment, action, source_environment, state, registration, previous_registration, previous_deployment_id, checks, actor)
         VALUES ($1, $2, 'promote', $3, 'active', $4, $5, $6, $7, $8) RETURNING *`,
        [model, environment, input.sourceEnvironment, input.registration, previous ?? null, superseded.rows[0]?.id ?? null, input.checks, input.actor],
      );
      return toRecord(rows[0]!);
    });
  }

  rollback(input: { model: string; environment: DeploymentEnvironment; actor: string }): Promise<DeploymentRecord | undefined> {
    const { model, environment } = input;
    return this.locked(model, environment, async (client, registry) => {
      const active = (await client.query<Row>(
        `SELECT * FROM model_deployments WHERE model = $1 AND environment = $2 AND state = 'active'`,
        [model, environment],
      )).rows[0];
      if (!active) return undefined;
      const replaced = await currentEntry(registry, model, environment);
      const restored = active.previous_registration ?? undefined;
      // The entry the promotion replaced comes back as it was; with none, the model leaves the
      // environment's routing (disabled, so the row and its history stay visible).
      if (restored) await registry.register(restored);
      else await registry.setStatus(model, environment, 'disabled');
      await client.query(`UPDATE model_deployments SET state = 'rolled-back' WHERE id = $1`, [active.id]);
      if (active.previous_deployment_id) {
        await client.query(`UPDATE model_deployments SET state = 'active' WHERE id = $1 AND state = 'superseded'`, [active.previous_deployment_id]);
      }
      const { rows } = await client.query<Row>(
        `INSERT INTO model_deployments (model, environment, action, registration, previous_registration, previous_deployment_id, actor)
         VALUES ($1, $2, 'rollback', $3, $4, $5, $6) RETURNING *`,
        [model, environment, restored ?? null, replaced ?? null, active.id, input.actor],
      );
      return toRecord(rows[0]!);
    });
  }

  async list(model: string, environment?: DeploymentEnvironment): Promise<DeploymentRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM model_deployments WHERE model = $1 AND ($2::text IS NULL OR environment = $2) ORDER BY id DESC`,
      [model, environment ?? null],
    );
    return rows.map(toRecord);
  }

  private async locked<T>(model: string, environment: DeploymentEnvironment, work: (client: pg.PoolClient, registry: PostgresModelRegistry) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`model-deployment:${model}:${environment}`]);
      return work(client, new PostgresModelRegistry(client));
    });
  }
}

async function currentEntry(registry: PostgresModelRegistry, model: string, environment: DeploymentEnvironment): Promise<ModelRegistration | undefined> {
  const entry = (await registry.list(environment)).find((registration) => registration.model === model);
  if (!entry) return undefined;
  const { lastHealthCheck: _checked, lastHealthStatus: _status, ...kept } = entry;
  return kept;
}

function toRecord(row: Row): DeploymentRecord {
  return {
    id: Number(row.id),
    model: row.model,
    environment: row.environment,
    action: row.action,
    ...(row.source_environment ? { sourceEnvironment: row.source_environment } : {}),
    ...(row.state ? { state: row.state } : {}),
    ...(row.registration ? { registration: row.registration } : {}),
    ...(row.previous_registration ? { previousRegistration: row.previous_registration } : {}),
    ...(row.previous_deployment_id ? { previousDeploymentId: Number(row.previous_deployment_id) } : {}),
    checks: row.checks,
    actor: row.actor,
    createdAt: row.created_at.toISOString(),
  };
}
