// The ingestion worker's workflows (bundled from this file).
export { ingestBatchWorkflow } from './ingest-batch.js';
export { ingestDocumentWorkflow } from './ingest-document.js';
export { migrateVectorsWorkflow } from './migrate-vectors.js';
