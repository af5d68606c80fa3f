-- Each quota charge once: an activity retried after a crash (or a timeout after its charge committed) presents
-- the same key, and the second charge is a no-op. Keys of past periods are pruned as new charges arrive.
CREATE TABLE ingestion_usage_charges (
  tenant_id text NOT NULL,
  charge_key text NOT NULL,
  period_start date NOT NULL,
  PRIMARY KEY (tenant_id, charge_key)
);
CREATE INDEX ingestion_usage_charges_period ON ingestion_usage_charges (tenant_id, period_start);
