// Ingestion step 2: the staged bytes become text, in a parse thread.
import { Context } from '@temporalio/activity';
import { RagtimeError } from '../../domain/errors.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';
import { heartbeating } from './heartbeating.js';

export interface StagedVersion {
  tenantId: string;
  documentId: string;
  source: string;
  contentHash: string;
}

/** Parses the staged bytes into text (kept beside them) in a parse thread; bad or over-limit input fails for good. */
export function createParseSourceActivity(deps: IngestionActivityDependencies) {
  return async function parseSource(input: StagedVersion): Promise<{ title: string; characters: number }> {
    return withFailureTranslation(() => heartbeating(async () => {
      const key = { tenantId: input.tenantId, documentId: input.documentId };
      const blob = await deps.store.blob(key, input.contentHash);
      if (!blob) throw new RagtimeError('staging_missing', `staged content of ${input.source} is missing`, { retryable: true });
      const document = await deps.processor.parse({ bytes: blob.bytes, source: input.source, ...(blob.contentType ? { contentType: blob.contentType } : {}) }, Context.current().cancellationSignal);
      await deps.store.storeParsed(key, input.contentHash, document);
      return { title: document.title, characters: document.text.length };
    }));
  };
}
