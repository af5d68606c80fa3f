// Notices a stalled event loop: a timer that should fire every `intervalMs` measures how late it fired. While
// the loop is stalled nothing on it can answer (so a liveness probe times out); once it runs again, the worker
// reports the stall on /healthz for `reportForMs` (30 s: one stall at start-up does not fail a liveness probe
// of 4 × 15 s, a loop that keeps stalling does), so an orchestrator restarts a worker that keeps stalling.
export interface EventLoopHealth {
  healthy: boolean;
  /** Longest lag seen, in milliseconds, and when (ISO time), if it counted as a stall. */
  lastStall?: { lagMs: number; at: string };
}

export class EventLoopWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private lastStall: { lagMs: number; at: number } | undefined;

  constructor(private readonly options: { stallMs: number; intervalMs?: number; reportForMs?: number }) {}

  start(): this {
    const interval = this.options.intervalMs ?? 100;
    let expected = performance.now() + interval;
    this.timer = setInterval(() => {
      const now = performance.now();
      const lag = now - expected;
      expected = now + interval;
      if (lag >= this.options.stallMs) this.lastStall = { lagMs: Math.round(lag), at: Date.now() };
    }, interval);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  health(): EventLoopHealth {
    const stall = this.lastStall;
    if (!stall) return { healthy: true };
    const recent = Date.now() - stall.at < (this.options.reportForMs ?? 30_000);
    return { healthy: !recent, lastStall: { lagMs: stall.lagMs, at: new Date(stall.at).toISOString() } };
  }
}
