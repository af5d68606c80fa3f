// Ingestion jobs over HTTP: start one (http(s) URLs only — server-side files are the CLI's business) and read
// its progress. Jobs belong to the caller's org: the workflow id carries it, so no org reads another's job.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import { ingestJobState, startIngestJob } from '../../clients/ingestion-jobs.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { JobStatus, StartedJob, responses } from '../openapi/response-schemas.js';
import { identifierPattern, maxUrlLength } from '../../domain/limits.js';

const StartJobBody = Type.Object({
  sources: Type.Array(Type.String({ pattern: '^https?://[^/\\s]+', maxLength: maxUrlLength }), { minItems: 1, maxItems: 1000, description: 'http(s) URLs' }),
  jobId: Type.Optional(Type.String({ pattern: identifierPattern, description: 'Idempotency key: starting the same job id again joins the existing job' })),
}, { additionalProperties: false });
const JobParams = Type.Object({ jobId: Type.String({ pattern: identifierPattern }) });

export interface IngestionOptions {
  temporal: Client;
  taskQueue: string;
  authenticate: onRequestAsyncHookHandler;
}

export async function ingestionPlugin(app: FastifyInstance, options: IngestionOptions): Promise<void> {
  app.post<{ Body: Static<typeof StartJobBody> }>('/v1/ingestion/jobs', { onRequest: options.authenticate, schema: { body: StartJobBody, response: responses({ 200: StartedJob, 202: StartedJob }) } }, async (request, reply) => {
    const tenantId = principalOf(request).orgId;
    const jobId = request.body.jobId ?? `job-${randomUUID()}`;
    const job = await startIngestJob(options.temporal, options.taskQueue, { tenantId, jobId, sources: request.body.sources });
    return reply.code(job.started ? 202 : 200).send({ job_id: job.jobId, workflow_id: job.workflowId, status_url: `/v1/ingestion/jobs/${job.jobId}` });
  });

  app.get<{ Params: Static<typeof JobParams> }>('/v1/ingestion/jobs/:jobId', { onRequest: options.authenticate, schema: { params: JobParams, response: responses({ 200: JobStatus }) } }, async (request, reply) => {
    const state = await ingestJobState(options.temporal, principalOf(request).orgId, request.params.jobId);
    if (state.state === 'not-found') {
      return reply.code(404).send({ error: { message: `No ingestion job ${request.params.jobId}.`, type: 'invalid_request_error', code: 'not_found', param: 'jobId' } });
    }
    return { job_id: request.params.jobId, workflow_id: state.workflowId, state: state.state, ...(state.state === 'failed' ? { error: state.error } : { progress: state.progress }) };
  });
}
