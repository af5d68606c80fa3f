// The failures of ingestion's ports (ports.ts), as the domain names them: adapters in infra throw these, the
// activities' one translation (activities/application-failure.ts) turns each into an ApplicationFailure whose
// type is its code, so workflows and job reports see the same types whichever adapter failed. DocumentError
// (bad input) lives beside the parsers, in parsed-document.ts.
import { RagtimeError } from '../domain/errors.js';

export type SourceErrorCode = 'not-found' | 'forbidden-source' | 'too-large' | 'fetch-failed' | 'invalid-source';

/** A source that cannot be read: missing, forbidden, too large, unreachable or not even a valid URL. */
export class SourceError extends RagtimeError {
  declare readonly code: SourceErrorCode;

  constructor(code: SourceErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(code, message, { retryable, cause: options?.cause });
  }
}

/** A charge that does not fit the tenant's ingestion quota; retrying before the period resets cannot help. */
export class QuotaExceededError extends RagtimeError {
  constructor(message: string) {
    super('quota-exceeded', message);
  }
}

/** An embedding call failed; the failure type stays the class name, as job reports have always shown it. */
export class EmbeddingError extends RagtimeError {
  /** The HTTP status the embedding server answered, when it answered. */
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super('EmbeddingError', message, { retryable: options.retryable, cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/** A vector store call failed; the failure type stays the class name, as job reports have always shown it. */
export class VectorStoreError extends RagtimeError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('VectorStoreError', message, { retryable, cause: options?.cause });
  }
}

/** A vector store location that does not parse (a migration's source or target): bad input, never retried. */
export class StoreLocationError extends RagtimeError {
  constructor(message: string) {
    super('bad_request', message);
  }
}
