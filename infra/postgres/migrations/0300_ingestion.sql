-- Ingestion staging and catalog. Activities pass ids between them; content lives here meanwhile.
-- Everything is per collection (one per embedding model), like the vector store itself.

-- Raw bytes of a document version being ingested, and its parsed text once parsed; deleted when done.
CREATE TABLE ingestion_blobs (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  content_hash text NOT NULL,
  content_type text,
  bytes bytea NOT NULL,
  title text,
  parsed_text text,
  parsed_format text CHECK (parsed_format IN ('markdown', 'plain')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, document_id, content_hash)
);

-- What is indexed: one row per document, with the version (content hash) and settings it was indexed with.
CREATE TABLE ingestion_documents (
  collection text NOT NULL,
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  source text NOT NULL,
  title text,
  content_hash text,
  settings text,
  chunk_count integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('indexed', 'failed')),
  reason text,
  job_id text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, tenant_id, document_id)
);
CREATE INDEX ingestion_documents_source ON ingestion_documents (collection, tenant_id, source text_pattern_ops);

-- A document's chunks: pending (to embed and/or upsert), indexed (in the vector store as stored here) or stale
-- (to delete from the vector store). The vector stays so a chunk that only moved is re-upserted, not re-embedded.
CREATE TABLE ingestion_chunks (
  collection text NOT NULL,
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  point_id uuid NOT NULL,
  position integer NOT NULL,
  payload jsonb NOT NULL,
  embedding bytea,
  state text NOT NULL CHECK (state IN ('pending', 'indexed', 'stale')),
  PRIMARY KEY (collection, tenant_id, document_id, point_id)
);
CREATE INDEX ingestion_chunks_state ON ingestion_chunks (collection, tenant_id, document_id, state, position);

-- A job's sources after folders were listed: what each ordinal ingests or deletes.
CREATE TABLE ingestion_job_sources (
  job_id text NOT NULL,
  ordinal integer NOT NULL,
  source text NOT NULL,
  document_id text NOT NULL,
  action text NOT NULL CHECK (action IN ('ingest', 'delete')),
  PRIMARY KEY (job_id, ordinal)
);
