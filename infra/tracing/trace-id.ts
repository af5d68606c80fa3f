// The active span's trace id, for log lines and the answer.done event. Only @opentelemetry/api: without a
// registered tracer provider there is no valid span and the id is absent.
import { trace } from '@opentelemetry/api';

export function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
}

/** pino mixin: every log line written inside a span carries its trace and span ids. */
export function traceLogFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? { traceId: context.traceId, spanId: context.spanId } : {};
}
