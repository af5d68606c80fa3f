// Files uploaded for ingestion and the catalog of what is indexed, for the caller's org. An upload is stored
// under the org's folder of the upload directory (shared with the ingestion worker) and ingested as a job;
// uploading the same name again replaces that document (unchanged content is not re-embedded).
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import { startIngestJob } from '../../clients/ingestion-jobs.js';
import type { IngestionStore } from '../../ingestion/ports.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { responses } from '../openapi/response-schemas.js';
import { DocumentList, UploadedFile } from '../openapi/web-client-schemas.js';

const UploadQuery = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$', description: 'File name: letters, digits, space, . _ ( ) -' }),
}, { additionalProperties: false });
const DocumentsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false });

export interface IngestionUploadOptions {
  temporal: Client;
  taskQueue: string;
  authenticate: onRequestAsyncHookHandler;
  store: IngestionStore;
  /** Absolute; the ingestion worker must see the same files. */
  uploadDirectory: string;
  maxUploadBytes: number;
}

export async function ingestionUploadsPlugin(app: FastifyInstance, options: IngestionUploadOptions): Promise<void> {
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: options.maxUploadBytes }, (_request, body, done) => done(null, body));

  app.post<{ Querystring: Static<typeof UploadQuery>; Body: Buffer }>(
    '/v1/ingestion/files',
    { onRequest: options.authenticate, bodyLimit: options.maxUploadBytes, schema: { querystring: UploadQuery, response: responses({ 202: UploadedFile }) } },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        return reply.code(400).send({ error: { message: 'Send the file as the request body (content-type: application/octet-stream).', type: 'invalid_request_error', code: 'bad_request', param: null } });
      }
      const tenantId = principalOf(request).orgId;
      const folder = path.join(options.uploadDirectory, encodeURIComponent(tenantId));
      const file = path.join(folder, request.query.name);
      await mkdir(folder, { recursive: true });
      const partial = path.join(folder, `.upload-${randomUUID()}`);
      await writeFile(partial, request.body);
      await rename(partial, file);
      const job = await startIngestJob(options.temporal, options.taskQueue, { tenantId, jobId: `upload-${randomUUID()}`, sources: [file] });
      return reply.code(202).send({ job_id: job.jobId, workflow_id: job.workflowId, status_url: `/v1/ingestion/jobs/${job.jobId}`, name: request.query.name, bytes: request.body.length });
    },
  );

  app.get<{ Querystring: Static<typeof DocumentsQuery> }>('/v1/ingestion/documents', { onRequest: options.authenticate, schema: { querystring: DocumentsQuery, response: responses({ 200: DocumentList }) } }, async (request) => {
    const tenantId = principalOf(request).orgId;
    const folder = `${path.join(options.uploadDirectory, encodeURIComponent(tenantId))}${path.sep}`;
    const documents = await options.store.documents(tenantId, request.query.limit ?? 200);
    return {
      object: 'list',
      data: documents.map((document) => ({
        document_id: document.documentId,
        // Uploads are named by their file name, not the server's path.
        source: document.source.startsWith(folder) ? document.source.slice(folder.length) : document.source,
        uploaded: document.source.startsWith(folder),
        title: document.title, status: document.status, reason: document.reason, chunks: document.chunkCount, updated_at: document.updatedAt,
      })),
    };
  });
}
