import { createHash } from 'node:crypto';

/** SHA-256 of text (UTF-8) or bytes, as lowercase hex. */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
