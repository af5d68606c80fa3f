-- History of model deployments between environments (`registry deployment promote|rollback`).
-- A promotion copies the source environment's registry entry to the target environment and keeps the
-- target's entry it replaced, so that a rollback can put that entry back. Exactly one promotion per
-- (model, environment) is active: the one whose entry the registry holds now.
CREATE TABLE model_deployments (
  id bigserial PRIMARY KEY,
  model text NOT NULL,
  environment text NOT NULL CHECK (environment IN ('development', 'staging', 'production')),
  action text NOT NULL CHECK (action IN ('promote', 'rollback')),
  -- Promotions: where the entry came from. Rollbacks: null.
  source_environment text CHECK (source_environment IN ('development', 'staging', 'production')),
  -- Promotions only: active (the registry holds its entry), superseded (a later promotion replaced it),
  -- rolled-back (a rollback replaced it). Rollbacks: null.
  state text CHECK (state IN ('active', 'superseded', 'rolled-back')),
  -- The registry entry this event wrote (for a rollback: what it restored; null when it disabled the
  -- model because the environment had no entry before), and the entry it replaced.
  registration jsonb,
  previous_registration jsonb,
  -- Promotions: the promotion that was active before this one. Rollbacks: the promotion rolled back.
  previous_deployment_id bigint REFERENCES model_deployments (id),
  -- What the gates measured: health probe and smoke chat.
  checks jsonb NOT NULL DEFAULT '{}',
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((action = 'promote') = (state IS NOT NULL)),
  CHECK ((action = 'promote') = (source_environment IS NOT NULL))
);

CREATE UNIQUE INDEX model_deployments_one_active ON model_deployments (model, environment) WHERE state = 'active';
CREATE INDEX model_deployments_history ON model_deployments (model, environment, id DESC);
