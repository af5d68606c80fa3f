import { ApplicationFailure, Context } from '@temporalio/activity';
import type { IngestionActivityDependencies } from './dependencies.js';
import { translatingErrors } from './activity-failure.js';
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
    return translatingErrors(() => heartbeating(async () => {
      const key = { tenantId: input.tenantId, documentId: input.documentId };
      const blob = await deps.store.blob(key, input.contentHash);
      if (!blob) throw ApplicationFailure.retryable(`staged content of ${input.source} is missing`, 'staging_missing');
      const document = await deps.processor.parse({ bytes: blob.bytes, source: input.source, ...(blob.contentType ? { contentType: blob.contentType } : {}) }, Context.current().cancellationSignal);
      await deps.store.storeParsed(key, input.contentHash, document);
      return { title: document.title, characters: document.text.length };
    }));
  };
}
