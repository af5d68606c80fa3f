-- Per-tenant ingestion limits: the documents a tenant has in process (a slot each, across all its jobs) and
-- what it ingested per quota period.

-- One row per document being processed; a row older than the lease is stale (its run was terminated).
CREATE TABLE ingestion_document_slots (
  tenant_id text NOT NULL,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, holder)
);

-- Usage per tenant and period (the period's first day), counted as documents are fetched and chunks embedded.
CREATE TABLE ingestion_usage (
  tenant_id text NOT NULL,
  period_start date NOT NULL,
  documents bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  tokens bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, period_start)
);
