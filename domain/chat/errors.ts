// Errors of the chat turn's ports that activities act on, as RagtimeErrors with codes from the catalog
// (domain/errors.ts): adapters in infra/ throw them, activities recognise them without importing infra/.
import { RagtimeError } from '../errors.js';

/** A model server's failure that knows whether trying again can help (its HTTP status, when it answered). */
export class ModelError extends RagtimeError {
  constructor(message: string, retryable: boolean, readonly status?: number) {
    super('model_error', message, { retryable, ...(status !== undefined ? { details: { status } } : {}) });
  }
}

/** Another attempt has already moved the answer stream past the offset this one expected; a retry resumes from it. */
export class StreamOffsetConflict extends RagtimeError {
  constructor(readonly expected: number, readonly actual: number) {
    super('stream_conflict', `answer stream is at offset ${actual}, this attempt expected ${expected}`, { retryable: true });
  }
}

/** The store refused a record for its data (a retry fails the same way); the cause is the database's error. */
export class RecordRejected extends RagtimeError {
  constructor(message: string, cause: unknown) {
    super('record_rejected', message, { cause });
  }
}
