// The root span of one client request (a chat frame on the WebSocket, an HTTP chat completion): what the
// API does for it — the gate, the workflow start, relaying the answer — runs inside it, so the request's
// trace starts where the client reached us. Attributes carry ids only, never prompt text.
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { tracer } from './tracing.js';

export interface RequestIds {
  tenantId: string;
  requestId?: string;
}

export const requestIdAttribute = 'ragtime.request_id';
export const tenantIdAttribute = 'ragtime.tenant_id';

/**
 * Runs `work` in a new root span that ends when `work` settles. A failure ≥ 500 (or without a status) marks
 * the span as an error; a refusal of the client's request (a status below 500) is recorded, not an error.
 */
export function inRequestSpan<T>(name: string, ids: RequestIds, work: (span: Span) => Promise<T>): Promise<T> {
  const attributes = { [tenantIdAttribute]: ids.tenantId, ...(ids.requestId ? { [requestIdAttribute]: ids.requestId } : {}) };
  return tracer().startActiveSpan(name, { root: true, kind: SpanKind.SERVER, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
      if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
      if (typeof status !== 'number' || status >= 500) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
