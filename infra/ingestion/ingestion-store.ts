// Postgres side of ingestion: staged document versions (bytes, then parsed text), each document's chunks with
// their state and vector, the catalog of indexed documents and the sources of every job. Activities keep
// content here and pass only ids, so no vector or document ever enters workflow history.
import type * as ports from '../../ingestion/ports.js';
import type { CatalogDocument, CatalogEntry, ChunkPayload, ChunkPlan, DocumentKey, StagedChunk, WrittenVersion } from '../../ingestion/ports.js';
import type { ParsedDocument } from '../../ingestion/parsed-document.js';
import type { DocumentAction, JobSource } from '../../ingestion/ingestion-job.js';
import type { Pool } from '../postgres/pool.js';
import { withTransaction } from '../postgres/transaction.js';

/** The IngestionStore port in Postgres, for one vector collection and the vector store written to. */
export class IngestionStore implements ports.IngestionStore {
  constructor(
    private readonly pool: Pool,
    /** The vector collection (one per embedding model) this store's chunks and catalog belong to. */
    private readonly collection: string,
    /** The location of the vector store written to (VectorIndex.location): what was written is recorded under it. */
    private readonly store: string,
  ) {}

  async catalogEntry({ tenantId, documentId }: DocumentKey): Promise<CatalogEntry | undefined> {
    const { rows } = await this.pool.query<{ source: string; content_hash: string | null; settings: string | null; status: 'indexed' | 'failed'; chunk_count: number }>(
      'SELECT source, content_hash, settings, status, chunk_count FROM ingestion_documents WHERE collection = $1 AND tenant_id = $2 AND document_id = $3',
      [this.collection, tenantId, documentId],
    );
    const row = rows[0];
    return row && { source: row.source, contentHash: row.content_hash, settings: row.settings, status: row.status, chunkCount: row.chunk_count };
  }

  /**
   * Indexed or failed documents whose source lies inside a folder, and documents the current vector store still
   * holds there (removed while ingestion wrote to another store).
   */
  async documentsUnder(tenantId: string, folder: string): Promise<{ documentId: string; source: string }[]> {
    const prefix = `${folder.replace(/\/+$/, '')}/`;
    const { rows } = await this.pool.query<{ document_id: string; source: string }>(
      `SELECT document_id, source FROM ingestion_documents WHERE collection = $1 AND tenant_id = $2 AND source LIKE $3 ESCAPE '\\'
       UNION SELECT document_id, source FROM vector_store_documents WHERE store = $4 AND collection = $1 AND tenant_id = $2 AND source LIKE $3 ESCAPE '\\'
       ORDER BY source`,
      [this.collection, tenantId, `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`, this.store],
    );
    return rows.map((row) => ({ documentId: row.document_id, source: row.source }));
  }

  async stageBlob(key: DocumentKey, contentHash: string, bytes: Uint8Array, contentType: string | undefined): Promise<void> {
    await this.pool.query(
      'INSERT INTO ingestion_blobs (tenant_id, document_id, content_hash, content_type, bytes) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [key.tenantId, key.documentId, contentHash, contentType ?? null, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
  }

  async blob(key: DocumentKey, contentHash: string): Promise<{ bytes: Uint8Array; contentType?: string } | undefined> {
    const { rows } = await this.pool.query<{ bytes: Buffer; content_type: string | null }>(
      'SELECT bytes, content_type FROM ingestion_blobs WHERE tenant_id = $1 AND document_id = $2 AND content_hash = $3',
      [key.tenantId, key.documentId, contentHash],
    );
    const row = rows[0];
    return row && { bytes: new Uint8Array(row.bytes), ...(row.content_type ? { contentType: row.content_type } : {}) };
  }

  async storeParsed(key: DocumentKey, contentHash: string, document: ParsedDocument): Promise<void> {
    await this.pool.query(
      'UPDATE ingestion_blobs SET title = $4, parsed_text = $5, parsed_format = $6 WHERE tenant_id = $1 AND document_id = $2 AND content_hash = $3',
      [key.tenantId, key.documentId, contentHash, document.title, document.text, document.format],
    );
  }

  async parsed(key: DocumentKey, contentHash: string): Promise<ParsedDocument | undefined> {
    const { rows } = await this.pool.query<{ title: string; parsed_text: string | null; parsed_format: 'markdown' | 'plain' | null }>(
      'SELECT title, parsed_text, parsed_format FROM ingestion_blobs WHERE tenant_id = $1 AND document_id = $2 AND content_hash = $3',
      [key.tenantId, key.documentId, contentHash],
    );
    const row = rows[0];
    return row?.parsed_text != null && row.parsed_format ? { title: row.title, text: row.parsed_text, format: row.parsed_format } : undefined;
  }

  /**
   * Makes `chunks` the document's chunk set. A chunk already indexed at the same position stays as it is;
   * one that moved becomes pending but keeps its vector; new ones are pending without a vector; chunks no
   * longer in the set become stale.
   */
  async replaceChunks({ tenantId, documentId }: DocumentKey, chunks: readonly StagedChunk[]): Promise<ChunkPlan> {
    return withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO ingestion_chunks (collection, tenant_id, document_id, point_id, position, payload, state)
         SELECT $1, $2, $3, point_id, position, payload, 'pending' FROM unnest($4::uuid[], $5::int[], $6::jsonb[]) AS new (point_id, position, payload)
         ON CONFLICT (collection, tenant_id, document_id, point_id) DO UPDATE SET
           state = CASE WHEN ingestion_chunks.state = 'indexed' AND ingestion_chunks.position = EXCLUDED.position
                         AND ingestion_chunks.payload = EXCLUDED.payload THEN 'indexed' ELSE 'pending' END,
           position = EXCLUDED.position,
           payload = EXCLUDED.payload`,
        [this.collection, tenantId, documentId, chunks.map((chunk) => chunk.pointId), chunks.map((chunk) => chunk.position), chunks.map((chunk) => JSON.stringify(chunk.payload))],
      );
      await client.query(
        "UPDATE ingestion_chunks SET state = 'stale' WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND NOT (point_id = ANY($4::uuid[]))",
        [this.collection, tenantId, documentId, chunks.map((chunk) => chunk.pointId)],
      );
      const { rows } = await client.query<{ chunks: string; to_embed: string; to_upsert: string; stale: string }>(
        `SELECT count(*) FILTER (WHERE state <> 'stale') AS chunks,
                count(*) FILTER (WHERE state = 'pending' AND embedding IS NULL) AS to_embed,
                count(*) FILTER (WHERE state = 'pending') AS to_upsert,
                count(*) FILTER (WHERE state = 'stale') AS stale
         FROM ingestion_chunks WHERE collection = $1 AND tenant_id = $2 AND document_id = $3`,
        [this.collection, tenantId, documentId],
      );
      const row = rows[0]!;
      return { chunks: Number(row.chunks), toEmbed: Number(row.to_embed), toUpsert: Number(row.to_upsert), stale: Number(row.stale) };
    });
  }

  /** The next pending chunks without a vector, in document order. */
  async chunksToEmbed({ tenantId, documentId }: DocumentKey, limit: number): Promise<StagedChunk[]> {
    const { rows } = await this.pool.query<{ point_id: string; position: number; payload: ChunkPayload }>(
      `SELECT point_id, position, payload FROM ingestion_chunks
       WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND state = 'pending' AND embedding IS NULL
       ORDER BY position LIMIT $4`,
      [this.collection, tenantId, documentId, limit],
    );
    return rows.map((row) => ({ pointId: row.point_id, position: row.position, payload: row.payload }));
  }

  async storeEmbeddings({ tenantId, documentId }: DocumentKey, pointIds: readonly string[], vectors: readonly number[][]): Promise<void> {
    await this.pool.query(
      `UPDATE ingestion_chunks AS chunk SET embedding = staged.embedding
       FROM unnest($4::uuid[], $5::bytea[]) AS staged (point_id, embedding)
       WHERE chunk.collection = $1 AND chunk.tenant_id = $2 AND chunk.document_id = $3 AND chunk.point_id = staged.point_id`,
      [this.collection, tenantId, documentId, pointIds, vectors.map(toBytes)],
    );
  }

  /** The next pending chunks that have their vector. */
  async chunksToUpsert({ tenantId, documentId }: DocumentKey, limit: number): Promise<(StagedChunk & { embedding: number[] })[]> {
    const { rows } = await this.pool.query<{ point_id: string; position: number; payload: ChunkPayload; embedding: Buffer }>(
      `SELECT point_id, position, payload, embedding FROM ingestion_chunks
       WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND state = 'pending' AND embedding IS NOT NULL
       ORDER BY position LIMIT $4`,
      [this.collection, tenantId, documentId, limit],
    );
    return rows.map((row) => ({ pointId: row.point_id, position: row.position, payload: row.payload, embedding: fromBytes(row.embedding) }));
  }

  async markIndexed({ tenantId, documentId }: DocumentKey, pointIds: readonly string[]): Promise<void> {
    await this.pool.query(
      "UPDATE ingestion_chunks SET state = 'indexed' WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND point_id = ANY($4::uuid[]) AND state = 'pending'",
      [this.collection, tenantId, documentId, pointIds],
    );
  }

  async staleChunkIds({ tenantId, documentId }: DocumentKey): Promise<string[]> {
    const { rows } = await this.pool.query<{ point_id: string }>(
      "SELECT point_id FROM ingestion_chunks WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND state = 'stale'",
      [this.collection, tenantId, documentId],
    );
    return rows.map((row) => row.point_id);
  }

  async liveChunkIds({ tenantId, documentId }: DocumentKey): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ point_id: string }>(
      "SELECT point_id FROM ingestion_chunks WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND state <> 'stale'",
      [this.collection, tenantId, documentId],
    );
    return new Set(rows.map((row) => row.point_id));
  }

  async dropChunks({ tenantId, documentId }: DocumentKey, pointIds: readonly string[]): Promise<void> {
    await this.pool.query(
      'DELETE FROM ingestion_chunks WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND point_id = ANY($4::uuid[])',
      [this.collection, tenantId, documentId, pointIds],
    );
  }

  /** What is indexed (or failed) for a tenant, most recently changed first. */
  async documents(tenantId: string, limit: number): Promise<CatalogDocument[]> {
    const { rows } = await this.pool.query<{ document_id: string; source: string; title: string | null; status: 'indexed' | 'failed'; reason: string | null; chunk_count: number; updated_at: Date }>(
      `SELECT document_id, source, title, status, reason, chunk_count, updated_at FROM ingestion_documents
       WHERE collection = $1 AND tenant_id = $2 ORDER BY updated_at DESC, source LIMIT $3`,
      [this.collection, tenantId, limit],
    );
    return rows.map((row) => ({ documentId: row.document_id, source: row.source, title: row.title, status: row.status, reason: row.reason, chunkCount: row.chunk_count, updatedAt: row.updated_at.toISOString() }));
  }

  /** Records the indexed version and drops its staged bytes. */
  async markDocumentIndexed(key: DocumentKey, entry: { source: string; title: string; contentHash: string; settings: string; chunkCount: number; jobId: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO ingestion_documents (collection, tenant_id, document_id, source, title, content_hash, settings, chunk_count, status, reason, job_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'indexed', NULL, $9, now())
       ON CONFLICT (collection, tenant_id, document_id) DO UPDATE SET source = EXCLUDED.source, title = EXCLUDED.title,
         content_hash = EXCLUDED.content_hash, settings = EXCLUDED.settings, chunk_count = EXCLUDED.chunk_count,
         status = 'indexed', reason = NULL, job_id = EXCLUDED.job_id, updated_at = now()`,
      [this.collection, key.tenantId, key.documentId, entry.source, entry.title, entry.contentHash, entry.settings, entry.chunkCount, entry.jobId],
    );
    await this.pool.query('DELETE FROM ingestion_blobs WHERE tenant_id = $1 AND document_id = $2', [key.tenantId, key.documentId]);
  }

  /** Records why a document failed; what was indexed of an earlier version stays searchable. */
  async markDocumentFailed(key: DocumentKey, entry: { source: string; reason: string; jobId: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO ingestion_documents (collection, tenant_id, document_id, source, status, reason, job_id, updated_at)
       VALUES ($1, $2, $3, $4, 'failed', $5, $6, now())
       ON CONFLICT (collection, tenant_id, document_id) DO UPDATE SET status = 'failed', reason = EXCLUDED.reason, job_id = EXCLUDED.job_id, updated_at = now()`,
      [this.collection, key.tenantId, key.documentId, entry.source, entry.reason, entry.jobId],
    );
    await this.pool.query('DELETE FROM ingestion_blobs WHERE tenant_id = $1 AND document_id = $2', [key.tenantId, key.documentId]);
  }

  /** The version of the document the current vector store holds, as recorded when it was written. */
  async writtenVersion({ tenantId, documentId }: DocumentKey): Promise<WrittenVersion | undefined> {
    const { rows } = await this.pool.query<{ content_hash: string; settings: string; chunk_count: number }>(
      'SELECT content_hash, settings, chunk_count FROM vector_store_documents WHERE store = $1 AND collection = $2 AND tenant_id = $3 AND document_id = $4',
      [this.store, this.collection, tenantId, documentId],
    );
    const row = rows[0];
    return row && { contentHash: row.content_hash, settings: row.settings, chunkCount: row.chunk_count };
  }

  /** Records that the current vector store holds this version of the document. */
  async recordWritten(key: DocumentKey, entry: WrittenVersion & { source: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO vector_store_documents (store, collection, tenant_id, document_id, source, content_hash, settings, chunk_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (store, collection, tenant_id, document_id) DO UPDATE SET source = EXCLUDED.source, content_hash = EXCLUDED.content_hash,
         settings = EXCLUDED.settings, chunk_count = EXCLUDED.chunk_count, written_at = now()`,
      [this.store, this.collection, key.tenantId, key.documentId, entry.source, entry.contentHash, entry.settings, entry.chunkCount],
    );
  }

  /** Records store `to` as holding what store `from` is recorded as holding (one tenant's or all); returns how many documents. */
  async copyWritten(from: string, to: string, tenantId?: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO vector_store_documents (store, collection, tenant_id, document_id, source, content_hash, settings, chunk_count)
       SELECT $2, collection, tenant_id, document_id, source, content_hash, settings, chunk_count FROM vector_store_documents
       WHERE store = $1 AND collection = $3 AND ($4::text IS NULL OR tenant_id = $4)
       ON CONFLICT (store, collection, tenant_id, document_id) DO UPDATE SET source = EXCLUDED.source, content_hash = EXCLUDED.content_hash,
         settings = EXCLUDED.settings, chunk_count = EXCLUDED.chunk_count, written_at = now()`,
      [from, to, this.collection, tenantId ?? null],
    );
    return rowCount ?? 0;
  }

  /**
   * Makes every indexed chunk of the document pending again (keeping its vector), for a vector store whose copy
   * of the document is missing or another version: the next upsert writes them all, with no embedding.
   */
  async requeueChunks({ tenantId, documentId }: DocumentKey): Promise<void> {
    await this.pool.query(
      "UPDATE ingestion_chunks SET state = 'pending' WHERE collection = $1 AND tenant_id = $2 AND document_id = $3 AND state = 'indexed'",
      [this.collection, tenantId, documentId],
    );
  }

  /** Forgets the document: its chunks, catalog entry and staged bytes, and that the current vector store holds it. */
  async forgetDocument({ tenantId, documentId }: DocumentKey): Promise<void> {
    await this.pool.query('DELETE FROM vector_store_documents WHERE store = $1 AND collection = $2 AND tenant_id = $3 AND document_id = $4', [this.store, this.collection, tenantId, documentId]);
    await this.pool.query('DELETE FROM ingestion_chunks WHERE collection = $1 AND tenant_id = $2 AND document_id = $3', [this.collection, tenantId, documentId]);
    await this.pool.query('DELETE FROM ingestion_documents WHERE collection = $1 AND tenant_id = $2 AND document_id = $3', [this.collection, tenantId, documentId]);
    await this.pool.query('DELETE FROM ingestion_blobs WHERE tenant_id = $1 AND document_id = $2', [tenantId, documentId]);
  }

  /** Stores a job's expanded sources (replacing any from an earlier attempt). */
  async storeJobSources(jobId: string, sources: readonly { source: string; documentId: string; action: DocumentAction }[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM ingestion_job_sources WHERE job_id = $1', [jobId]);
      await client.query(
        'INSERT INTO ingestion_job_sources (job_id, ordinal, source, document_id, action) SELECT $1, ordinality - 1, source, document_id, action FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS listed (source, document_id, action, ordinality)',
        [jobId, sources.map((entry) => entry.source), sources.map((entry) => entry.documentId), sources.map((entry) => entry.action)],
      );
    });
  }

  async jobSources(jobId: string, offset: number, limit: number): Promise<JobSource[]> {
    const { rows } = await this.pool.query<{ ordinal: number; source: string; document_id: string; action: DocumentAction }>(
      'SELECT ordinal, source, document_id, action FROM ingestion_job_sources WHERE job_id = $1 AND ordinal >= $2 ORDER BY ordinal LIMIT $3',
      [jobId, offset, limit],
    );
    return rows.map((row) => ({ ordinal: row.ordinal, source: row.source, documentId: row.document_id, action: row.action }));
  }
}

function toBytes(vector: readonly number[]): Buffer {
  const array = Float32Array.from(vector);
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function fromBytes(bytes: Buffer): number[] {
  const copy = new Uint8Array(bytes);
  return [...new Float32Array(copy.buffer, 0, copy.byteLength / 4)];
}
