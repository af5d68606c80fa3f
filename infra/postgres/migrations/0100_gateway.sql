-- Gateway: identity (orgs, users, API keys), admin audit log, usage ledger and monthly budget counters.

CREATE TABLE orgs (
  id text PRIMARY KEY,
  name text NOT NULL,
  tier text NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
  -- NULL: the tier's default budget applies.
  monthly_budget_micros bigint CHECK (monthly_budget_micros >= 0),
  budget_unlimited boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  org_id text NOT NULL REFERENCES orgs (id),
  id text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

-- Only a SHA-256 of the secret is kept: the key itself is shown once, when it is created.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  org_id text NOT NULL,
  user_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  secret_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id);

CREATE TABLE admin_audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  org_id text,
  target text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX admin_audit_log_org_idx ON admin_audit_log (org_id, at);

-- One row per request: reserved with an estimate when admitted, settled with what the model served.
CREATE TABLE usage_ledger (
  org_id text NOT NULL,
  request_id text NOT NULL,
  user_id text NOT NULL,
  endpoint text NOT NULL,
  model text NOT NULL,
  period date NOT NULL,
  status text NOT NULL CHECK (status IN ('reserved', 'settled')),
  estimated_micros bigint NOT NULL DEFAULT 0,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  cost_micros bigint NOT NULL DEFAULT 0,
  cached boolean NOT NULL DEFAULT false,
  outcome text,
  -- 'model': usage as the model server reported it; 'stream': counted from the emitted answer.
  usage_source text,
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  PRIMARY KEY (org_id, request_id)
);
CREATE INDEX usage_ledger_day_idx ON usage_ledger (org_id, created_at);
CREATE INDEX usage_ledger_reserved_idx ON usage_ledger (created_at) WHERE status = 'reserved';

CREATE TABLE org_budget_periods (
  org_id text NOT NULL,
  period date NOT NULL,
  spent_micros bigint NOT NULL DEFAULT 0,
  reserved_micros bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, period)
);

-- Reserves an estimate against the org's budget and opens the ledger row, atomically, in one round trip.
-- Returns 'reserved', 'duplicate' (this request id already has a row: nothing is reserved twice) or
-- 'budget_exhausted'. budget NULL means unlimited.
CREATE FUNCTION gateway_reserve(p_org text, p_request text, p_user text, p_endpoint text, p_model text,
                                p_estimate bigint, p_budget bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_period date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  v_ok boolean;
BEGIN
  INSERT INTO usage_ledger (org_id, request_id, user_id, endpoint, model, period, status, estimated_micros)
  VALUES (p_org, p_request, p_user, p_endpoint, p_model, v_period, 'reserved', p_estimate)
  ON CONFLICT (org_id, request_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN 'duplicate';
  END IF;
  INSERT INTO org_budget_periods (org_id, period) VALUES (p_org, v_period) ON CONFLICT DO NOTHING;
  UPDATE org_budget_periods SET reserved_micros = reserved_micros + p_estimate
  WHERE org_id = p_org AND period = v_period
    AND (p_budget IS NULL OR spent_micros + reserved_micros + p_estimate <= p_budget)
  RETURNING true INTO v_ok;
  IF v_ok IS NULL THEN
    DELETE FROM usage_ledger WHERE org_id = p_org AND request_id = p_request;
    RETURN 'budget_exhausted';
  END IF;
  RETURN 'reserved';
END $$;

-- Replaces a reservation with the real cost, once. Returns true when this call settled the row.
CREATE FUNCTION gateway_settle(p_org text, p_request text, p_model text, p_prompt integer, p_completion integer,
                               p_cost bigint, p_cached boolean, p_outcome text, p_source text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_period date;
  v_estimate bigint;
BEGIN
  UPDATE usage_ledger SET status = 'settled', model = p_model, prompt_tokens = p_prompt, completion_tokens = p_completion,
         cost_micros = p_cost, cached = p_cached, outcome = p_outcome, usage_source = p_source, settled_at = now()
  WHERE org_id = p_org AND request_id = p_request AND status = 'reserved'
  RETURNING period, estimated_micros INTO v_period, v_estimate;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE org_budget_periods SET reserved_micros = reserved_micros - v_estimate, spent_micros = spent_micros + p_cost
  WHERE org_id = p_org AND period = v_period;
  RETURN true;
END $$;
