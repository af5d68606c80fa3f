-- One row per model call of a settled request (a failover or a fusion makes several): what each model served,
-- what it cost and how long it took. Written by the statement that settles the request, only when that
-- statement settled it, so a retried settlement adds nothing. Per-provider metrics read it.
CREATE TABLE usage_ledger_calls (
  org_id text NOT NULL,
  request_id text NOT NULL,
  seq integer NOT NULL,
  model text NOT NULL,
  endpoint text,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  cost_micros bigint NOT NULL DEFAULT 0,
  -- The call's own time when the worker measured it (fusion); for a one-call request, admission to settlement.
  latency_ms integer,
  -- 'completed', or what ended the call or its request ('failed', 'cancelled', 'failed_over').
  outcome text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, request_id, seq),
  FOREIGN KEY (org_id, request_id) REFERENCES usage_ledger (org_id, request_id) ON DELETE CASCADE
);
CREATE INDEX usage_ledger_calls_model_idx ON usage_ledger_calls (model, created_at);
