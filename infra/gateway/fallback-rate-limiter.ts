// Redis first; when Redis does not answer in time the gate either keeps serving with a per-instance
// limiter (fail-open, the default) or refuses with 503 (fail-closed). Each switch is logged once.
import type { Logger } from 'pino';
import type { AdmitDecision, AdmitRequest, RateLimiter } from '../../domain/gateway/rate-limits.js';
import { RagtimeError } from '../../domain/errors.js';

/** Fail-closed and the shared limiter did not answer in time: the gate answers 503, try again shortly. */
export class RateLimiterUnavailable extends RagtimeError {
  constructor() {
    super('rate_limiter_unavailable', 'rate limiter unavailable', { retryable: true });
  }
}

export interface FallbackOptions {
  failureMode: 'open' | 'closed';
  timeoutMs: number;
  logger: Pick<Logger, 'warn' | 'info'>;
}

export class FallbackRateLimiter implements RateLimiter {
  private degraded = false;

  constructor(private readonly primary: RateLimiter, private readonly local: RateLimiter, private readonly options: FallbackOptions) {}

  async admit(request: AdmitRequest): Promise<AdmitDecision> {
    return this.run((limiter) => limiter.admit(request));
  }

  async settle(request: Parameters<RateLimiter['settle']>[0]): Promise<void> {
    return this.run((limiter) => limiter.settle(request));
  }

  private async run<T>(operation: (limiter: RateLimiter) => Promise<T>): Promise<T> {
    try {
      const result = await withTimeout(operation(this.primary), this.options.timeoutMs);
      if (this.degraded) {
        this.degraded = false;
        this.options.logger.info('rate limiter: Redis answers again; limits are shared across instances');
      }
      return result;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.options.logger.warn(
          { err: error, failureMode: this.options.failureMode },
          this.options.failureMode === 'open'
            ? 'rate limiter: Redis unreachable; falling back to a per-instance limiter'
            : 'rate limiter: Redis unreachable; refusing requests (fail-closed)',
        );
      }
      if (this.options.failureMode === 'closed') throw new RateLimiterUnavailable();
      return operation(this.local);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
