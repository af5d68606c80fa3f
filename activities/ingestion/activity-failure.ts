// Turns adapter and domain errors into Temporal failures: bad input fails at once with its reason, anything
// a retry can fix is retried by Temporal (adapters never retry on their own).
import { ApplicationFailure } from '@temporalio/activity';
import { DocumentError } from '../../ingestion/parsed-document.js';
import { EmbeddingError } from '../../infra/embeddings/embedding-error.js';
import { SourceError } from '../../infra/ingestion/source-reader.js';
import { QuotaExceededError } from '../../infra/ingestion/tenant-ingestion-limits.js';
import { VectorStoreError } from '../../infra/vector-store/vector-store-error.js';

export async function translatingErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw asActivityFailure(error);
  }
}

function asActivityFailure(error: unknown): unknown {
  if (error instanceof DocumentError || error instanceof QuotaExceededError) return ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof SourceError || error instanceof EmbeddingError || error instanceof VectorStoreError) {
    const type = error instanceof SourceError ? error.code : error.name;
    return ApplicationFailure.create({ message: error.message, type, nonRetryable: !error.retryable });
  }
  return error;
}
