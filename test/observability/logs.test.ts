// Structured logs: credentials always redacted, prompt text redacted unless asked for, the active trace id
// on each line written inside a span, and the Temporal SDK's lines as the same JSON.
import { PassThrough } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, temporalLogger } from '../../infra/logger.js';
import { startTracing, tracer } from '../../infra/tracing/tracing.js';

function capture(options: { logPrompts?: boolean } = {}) {
  const destination = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  destination.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger('info', 'test', { ...options, destination }), lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('logs', () => {
  const tracing = startTracing({ serviceName: 'ragtime-test', spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()) })!;
  afterAll(() => tracing.shutdown());

  it('redacts credentials and prompt text by default', async () => {
    const { logger, lines } = capture();
    logger.info({ turn: { question: 'my salary is 90k', prompt: 'system: secret', apiKey: 'rt-123' }, req: { headers: { authorization: 'Bearer x' } }, err: { message: 'upstream 500' } }, 'turn');
    await flush();
    expect(lines[0]).toMatchObject({
      turn: { question: '[redacted]', prompt: '[redacted]', apiKey: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      err: { message: 'upstream 500' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/salary|secret|rt-123|Bearer/);
  });

  it('shows prompt text when configured, never credentials', async () => {
    const { logger, lines } = capture({ logPrompts: true });
    logger.info({ turn: { question: 'my salary is 90k', apiKey: 'rt-123' } }, 'turn');
    await flush();
    expect(lines[0]).toMatchObject({ turn: { question: 'my salary is 90k', apiKey: '[redacted]' } });
  });

  it('puts the active trace and span ids on lines written inside a span', async () => {
    const { logger, lines } = capture();
    let traceId = '';
    tracer().startActiveSpan('work', (span) => {
      traceId = span.spanContext().traceId;
      logger.info('inside');
      span.end();
    });
    logger.info('outside');
    await flush();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]).toMatchObject({ msg: 'inside', traceId });
    expect(lines[1]!.traceId).toBeUndefined();
  });

  it('writes the Temporal SDK lines as JSON with their workflow attributes and errors', async () => {
    const { logger, lines } = capture();
    temporalLogger(logger).warn('Activity failed', { workflowId: 'chat-acme-1', activityType: 'generate', tenantId: 'acme', error: new Error('model down') });
    temporalLogger(logger).debug('below the level');
    await flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'Activity failed', workflowId: 'chat-acme-1', activityType: 'generate', tenantId: 'acme', err: { message: 'model down' } });
  });
});
