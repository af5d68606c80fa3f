// Deterministic identifiers: the same tenant and source always give the same document id, and the same
// chunk content in the same document always gives the same point id, so re-ingestion overwrites.
import { v5 as uuidV5 } from 'uuid';
import { contentHash } from './content-hash.js';

/** Fixed namespace for Ragtime point ids (a random UUID chosen once; changing it re-keys every index). */
const pointNamespace = '3f6c2a8e-5b1d-4c7a-9e2f-8d4b6a1c0e57';

/**
 * Canonical form of a source: URLs without fragment, file paths with forward slashes. A URL that does not
 * parse stays as written: it becomes a document that fails with its reason, not a job that fails.
 */
export function normalizeSource(source: string): string {
  const trimmed = source.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    if (!URL.canParse(trimmed)) return trimmed;
    const url = new URL(trimmed);
    url.hash = '';
    return url.toString();
  }
  return trimmed.replaceAll('\\', '/');
}

export function documentId(tenant: string, source: string): string {
  return `doc-${contentHash(`${tenant}\u0000${normalizeSource(source)}`).slice(0, 32)}`;
}

/** A UUID (v5), as Qdrant requires UUID or integer ids. */
export function pointId(documentIdentifier: string, chunkContentHash: string): string {
  return uuidV5(`${documentIdentifier}:${chunkContentHash}`, pointNamespace);
}
