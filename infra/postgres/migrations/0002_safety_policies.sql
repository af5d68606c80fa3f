-- Per-tenant overrides of the default safety policy (see domain/safety/safety-policy.ts for the shape).
CREATE TABLE tenant_safety_policies (
  tenant_id text PRIMARY KEY,
  overrides jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
