// One error vocabulary for the whole codebase: every error we throw on purpose is a RagtimeError with a
// stable `code` (what clients, workflows and logs see), whether trying again can help, and the error it came
// from. Activities translate it to Temporal's ApplicationFailure in one place (activities/application-failure.ts);
// workflow retry policies take their non-retryable types from the catalog below.

export interface RagtimeErrorOptions {
  /** Whether the same call may succeed if tried again (rate limit, timeout, server error). Default: false. */
  retryable?: boolean;
  cause?: unknown;
  /** Small, serialisable facts a caller may act on (an HTTP status, what was served before the failure). */
  details?: Record<string, unknown>;
}

export class RagtimeError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options: RagtimeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.details) this.details = options.details;
  }
}

export function isRagtimeError(error: unknown): error is RagtimeError {
  return error instanceof RagtimeError;
}

/**
 * Every code that crosses an activity → workflow boundary as an ApplicationFailure type, and whether a retry
 * of the same step can help. Chat codes are snake_case (clients see them in `error` events); ingestion codes
 * are kebab-case (job reports show them per document) — both kept as they are, since clients depend on them.
 */
export const errorCodes = {
  // chat turn
  bad_request: { retryable: false },
  blocked: { retryable: false },
  not_found: { retryable: false },
  cancelled: { retryable: false },
  /** One model server failed (ModelError); its own `retryable` decides, a permanent one fails the turn. */
  model_error: { retryable: true },
  /** No model could answer: every endpoint of the chain failed, or none is configured. */
  model_unavailable: { retryable: true },
  /** Another attempt moved the answer stream on; the retry resumes from where it is. */
  stream_conflict: { retryable: true },
  persist_failed: { retryable: false },
  tool_refused: { retryable: false },
  tool_call_diverged: { retryable: false },
  internal: { retryable: true },
  retrieval_failed: { retryable: true },
  // ingestion
  'unsupported-format': { retryable: false },
  'corrupt-document': { retryable: false },
  'empty-document': { retryable: false },
  'limit-exceeded': { retryable: false },
  'parse-timeout': { retryable: false },
  'quota-exceeded': { retryable: false },
  'not-found': { retryable: false },
  'forbidden-source': { retryable: false },
  'too-large': { retryable: false },
  'invalid-source': { retryable: false },
  'fetch-failed': { retryable: true },
  /** A step's staged input (bytes, parsed text) is not there yet: another attempt may find it. */
  staging_missing: { retryable: true },
  // Adapter failures that keep their class name as their type (job reports have always shown it); each
  // instance says whether it may be retried (a 5xx may, a wrong dimension may not).
  EmbeddingError: { retryable: true },
  VectorStoreError: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

/** The failure types retry policies never retry, taken from the catalog (nothing listed by hand). */
export const nonRetryableErrorTypes: readonly string[] = Object.entries(errorCodes)
  .filter(([, entry]) => !entry.retryable)
  .map(([code]) => code);

/** An upstream HTTP status a retry may fix: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
