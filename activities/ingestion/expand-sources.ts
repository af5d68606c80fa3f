// The job's first step: its sources become the ordered list of documents to ingest or delete.
import { documentId, normalizeSource } from '../../ingestion/identifiers.js';
import type { DocumentAction } from '../../ingestion/ingestion-job.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';
import { heartbeating } from './heartbeating.js';

export interface ExpandSourcesInput {
  jobId: string;
  tenantId: string;
  sources: string[];
}

/**
 * Lists folders into their files, stores the job's documents in order and returns how many there are. A
 * document indexed from a listed folder whose file is gone is scheduled for deletion.
 */
export function createExpandSourcesActivity(deps: IngestionActivityDependencies) {
  return async function expandSources(input: ExpandSourcesInput): Promise<{ total: number }> {
    return withFailureTranslation(() => heartbeating(async () => {
      const entries = new Map<string, { source: string; documentId: string; action: DocumentAction }>();
      for (const requested of input.sources) {
        // A source that cannot be listed is still one document: its fetch fails with the reason, the job goes on.
        const { kind, files } = await deps.reader.list(normalizeSource(requested)).catch(() => ({ kind: 'file' as const, files: [requested] }));
        for (const file of files) {
          const id = documentId(input.tenantId, file);
          entries.set(id, { source: normalizeSource(file), documentId: id, action: 'ingest' });
        }
        if (kind !== 'folder') continue;
        for (const previous of await deps.store.documentsUnder(input.tenantId, normalizeSource(requested))) {
          if (!entries.has(previous.documentId)) entries.set(previous.documentId, { ...previous, action: 'delete' });
        }
      }
      await deps.store.storeJobSources(input.jobId, [...entries.values()]);
      return { total: entries.size };
    }));
  };
}

export function createListJobSourcesActivity(deps: IngestionActivityDependencies) {
  return async function listJobSources(input: { jobId: string; offset: number; limit: number }) {
    return deps.store.jobSources(input.jobId, input.offset, input.limit);
  };
}
