-- What each vector store holds: one row per document version written to a store's collection. The store is
-- its location (embedded:/abs/dir or qdrant:http://host:6333), so pointing ingestion at another store finds
-- nothing recorded there and writes the document again from the vectors staged in ingestion_chunks.
-- Documents indexed before this table existed have no row: the next ingestion checks the configured store
-- itself (its points equal the document's live chunks: recorded, nothing written; otherwise written again).
CREATE TABLE vector_store_documents (
  store text NOT NULL,
  collection text NOT NULL,
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  source text NOT NULL,
  content_hash text NOT NULL,
  settings text NOT NULL,
  chunk_count integer NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, collection, tenant_id, document_id)
);
CREATE INDEX vector_store_documents_source ON vector_store_documents (store, collection, tenant_id, source text_pattern_ops);
