// A vector store's location: its kind and address as one string (`embedded:/abs/dir`, `qdrant:http://host:6333`).
// Ingestion records what it wrote under it, and the migrate command names its source and target with it.
import path from 'node:path';
import { StoreLocationError } from '../../ingestion/ingestion-errors.js';

export type VectorStoreAddress = { kind: 'embedded'; directory: string } | { kind: 'qdrant'; url: string };

/** The canonical location: an absolute directory, or the Qdrant URL without credentials, query or trailing slash. */
export function formatLocation(address: VectorStoreAddress): string {
  if (address.kind === 'embedded') return `embedded:${path.resolve(address.directory)}`;
  let url: URL;
  try {
    url = new URL(address.url);
  } catch {
    throw new StoreLocationError(`not a URL: ${address.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StoreLocationError(`a Qdrant URL is http(s), not ${url.protocol}`);
  return `qdrant:${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Parses `embedded:<directory>` (relative to the working directory) or `qdrant:<http(s) URL>`; credentials are refused. */
export function parseLocation(text: string): VectorStoreAddress {
  const separator = text.indexOf(':');
  const kind = text.slice(0, separator);
  const rest = text.slice(separator + 1);
  if (separator < 0 || rest === '') throw new StoreLocationError(`a store is embedded:<directory> or qdrant:<url>, not "${text}"`);
  if (kind === 'embedded') return { kind, directory: path.resolve(rest) };
  if (kind === 'qdrant') {
    formatLocation({ kind, url: rest });
    const url = new URL(rest);
    if (url.username || url.password) throw new StoreLocationError('a Qdrant URL must not carry credentials (QDRANT_API_KEY holds the key)');
    return { kind, url: formatLocation({ kind, url: rest }).slice('qdrant:'.length) };
  }
  throw new StoreLocationError(`unknown store kind "${kind}": embedded or qdrant`);
}
