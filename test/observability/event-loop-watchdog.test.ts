// A worker's /healthz (the metrics port) reports a stalled event loop once the loop runs again.
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoopWatchdog } from '../../infra/metrics/event-loop-watchdog.js';
import { startMetricsServer } from '../../infra/metrics/metrics-server.js';

describe('event-loop watchdog', () => {
  const watchdog = new EventLoopWatchdog({ stallMs: 500, intervalMs: 50, reportForMs: 60_000 });
  let server: Awaited<ReturnType<typeof startMetricsServer>>;
  let base: string;

  beforeAll(async () => {
    watchdog.start();
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry(), watchdog });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    watchdog.stop();
    server.close();
  });

  it('answers 200 while the loop runs and 503 naming the stall after it blocked', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok', healthy: true });

    const blockedUntil = Date.now() + 1200;
    while (Date.now() < blockedUntil) { /* a synchronous stall, as a parse on the loop used to cause */ }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stalled = await fetch(`${base}/healthz`);
    expect(stalled.status).toBe(503);
    const body = await stalled.json() as { status: string; lastStall: { lagMs: number } };
    expect(body.status).toBe('stalled');
    expect(body.lastStall.lagMs).toBeGreaterThanOrEqual(1000);
  });
});
